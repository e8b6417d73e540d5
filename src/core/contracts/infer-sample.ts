// Samples traffic for contract inference: live messages on channels, globs and shard channels, and on streams the
// newest entries they already hold plus the ones added while sampling. Stops after `seconds`, after `count` events,
// or when the signal aborts, whichever comes first; what was sampled so far is always inferred.
import { BadInputError, describeError } from '../errors';
import { TrafficTap, type TappedMessage } from '../fixtures/traffic-tap';
import type { Transport } from '../transport/types';
import { createContractInferrer, type InferredContract, type InferSource } from './infer';
import { entryEventText, isRedisGlob, streamKeysOf } from './stream-sources';

/** Sampling time when neither a time nor a count is given. */
export const DEFAULT_INFER_SECONDS = 10;
/** Entries read from a stream's history (newest first) when no count is given. */
const DEFAULT_HISTORY = 1000;
const PROGRESS_MS = 250;

export interface InferOptions {
  /** Live sampling time in seconds. */
  readonly seconds?: number;
  /** Stop after this many events (history included). */
  readonly count?: number;
  readonly signal?: AbortSignal;
  readonly title?: string;
  /** Called with the events sampled so far, at most every 250 ms. */
  onProgress?(sampled: number): void;
  /** Called once everything is subscribed and the stream history was read (tests publish after it). */
  onListening?(): void;
}

export async function inferContractFromTraffic(transport: Transport, sources: readonly InferSource[], options: InferOptions = {}): Promise<InferredContract> {
  const inferrer = await createContractInferrer(sources);
  const groups = await sampleTraffic(transport, sources, { ...options, history: true }, (source, _name, text) => inferrer.addText(source, text), () => inferrer.sampled);
  for (const [source, names] of groups) inferrer.setGroups(source, names);
  return inferrer.result(options.title);
}

export interface SampleOptions extends InferOptions {
  /** Read the newest entries of the streams first (`count`, else 1000 per stream). */
  readonly history?: boolean;
}

/**
 * Hands every event seen on `sources` to `add` (the source, the channel or stream it came on, its text) until the
 * time is up, `taken()` reaches the count, or the signal aborts. Resolves with the consumer groups found on each
 * stream source.
 */
export async function sampleTraffic(transport: Transport, sources: readonly InferSource[], options: SampleOptions,
  add: (source: InferSource, name: string, text: string) => void, taken: () => number): Promise<Map<InferSource, string[]>> {
  if (!sources.length) throw new BadInputError('nothing to sample: give a channel or a stream');
  for (const s of sources) if (s.kind === 'shard' && isRedisGlob(s.address)) throw new BadInputError(`shard channel ${s.address} is a glob: shard channels have no patterns`);
  const { count, signal } = options;
  const seconds = options.seconds ?? (count === undefined ? DEFAULT_INFER_SECONDS : undefined);
  const full = () => count !== undefined && taken() >= count;

  const streamOf = new Map<string, InferSource>();
  const groupsOf = new Map<InferSource, string[]>();
  for (const s of sources.filter((x) => x.kind === 'stream')) {
    const keys = await streamKeysOf(transport, s.address, signal);
    const groups = new Set<string>();
    for (const key of keys) {
      if (!streamOf.has(key)) streamOf.set(key, s);
      for (const g of await transport.xinfoGroups(key).catch(() => [])) groups.add(g.name);
    }
    groupsOf.set(s, [...groups].sort());
  }
  const pubsub = sources.filter((s) => s.kind === 'pubsub');
  const channels = new Map(pubsub.filter((s) => !isRedisGlob(s.address)).map((s) => [s.address, s]));
  const patterns = new Map(pubsub.filter((s) => isRedisGlob(s.address)).map((s) => [s.address, s]));
  const shards = new Map(sources.filter((s) => s.kind === 'shard').map((s) => [s.address, s]));

  let wake: (() => void) | undefined;
  const onTapped = (m: TappedMessage) => {
    if (full()) return;
    let source: InferSource | undefined;
    if (m.kind === 'stream') source = streamOf.get(m.name);
    else if (m.kind === 'shard') source = shards.get(m.name);
    // A channel both named and matched by a pattern arrives twice: it counts once, for the named one.
    else if (m.pattern !== undefined) source = channels.has(m.name) ? undefined : patterns.get(m.pattern);
    else source = channels.get(m.name);
    if (!source) return;
    add(source, m.name, m.text ?? JSON.stringify(m.fields ?? {}));
    if (full()) wake?.();
  };
  const listening = channels.size + patterns.size + shards.size + streamOf.size > 0;
  const tap = listening ? new TrafficTap(transport, { channels: [...channels.keys()], patterns: [...patterns.keys()], shards: [...shards.keys()], streams: [...streamOf.keys()] }, onTapped) : undefined;
  await tap?.start();
  try {
    for (const [key, source] of options.history ? streamOf : []) {
      if (full() || signal?.aborted) break;
      const newest = await transport.xrevrange(key, '+', '-', count ?? DEFAULT_HISTORY);
      for (const e of newest.reverse()) { if (full()) break; add(source, key, entryEventText(e)); }
    }
    options.onListening?.();
    const deadline = seconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + seconds * 1000;
    while (!full() && !signal?.aborted && Date.now() < deadline && listening) {
      options.onProgress?.(taken());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, Math.min(PROGRESS_MS, deadline - Date.now())));
        const onAbort = () => done();
        signal?.addEventListener('abort', onAbort, { once: true });
        wake = done;
        function done() { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); wake = undefined; resolve(); }
      });
    }
    options.onProgress?.(taken());
  } finally {
    await tap?.stop();
  }
  if (tap?.error) throw new BadInputError(describeError(tap.error));
  return groupsOf;
}
