// Feeds a FlowMiner from live pub/sub traffic: every message on the channels (or patterns) watched is read as an
// event and added where it belongs. Payloads are other people's: a message too large or not a JSON object is only
// counted, never thrown on.
import { readEvent } from '../envelope/envelope';
import type { Disposable, PubSubMessage, Transport } from '../transport/types';
import type { FlowMiner } from './flow-miner';

/** Larger payloads are counted as malformed without parsing: parsing megabytes per message would stall the host. */
export const MAX_LIVE_PAYLOAD = 1 << 20;

/** Adds one received message to the miner. Exposed so a feed that already subscribes (the monitor) can reuse it. */
export function addMessage(miner: FlowMiner, message: PubSubMessage, receivedAt = Date.now()): void {
  if (typeof message.payload !== 'string' || message.payload.length > MAX_LIVE_PAYLOAD) {
    miner.addMalformed();
    return;
  }
  const r = readEvent(message.payload);
  if (!r.ok) {
    miner.addMalformed();
    return;
  }
  miner.add({ event: r.event, via: { kind: message.sharded ? 'shard' : 'channel', name: message.channel }, fallbackAt: receivedAt });
}

export interface LiveFlowOptions {
  /** Patterns to PSUBSCRIBE. @default ['*'] */
  patterns?: string[];
}

/** Subscribes and feeds the miner until disposed (the subscription is dropped then). */
export async function watchFlows(transport: Transport, miner: FlowMiner, options: LiveFlowOptions = {}): Promise<Disposable> {
  const patterns = options.patterns?.length ? options.patterns : ['*'];
  const listener = transport.onMessage((m) => {
    if (m.pattern !== undefined && patterns.includes(m.pattern)) addMessage(miner, m);
  });
  try {
    await transport.psubscribe(patterns);
  } catch (e) {
    listener.dispose();
    throw e;
  }
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      listener.dispose();
      transport.punsubscribe(patterns).catch(() => undefined);
    },
  };
}
