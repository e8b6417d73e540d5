// One drift run, as `ucore contract drift` and "UCore: Show Contract Drift" do it: the contract's channels and streams
// sampled for a while (with `history`, the newest entries its streams hold first), then the server asked about
// subscribers and consumer groups.
import type { Transport } from '../transport/types';
import { createContractSet } from './load';
import { DriftObserver, serverDrift, type DriftFinding } from './drift';
import type { InferSource } from './infer';
import { sampleTraffic } from './infer-sample';
import { isRedisGlob } from './stream-sources';
import { KIND_TO_TARGET, type Contract } from './types';

export interface DriftOptions {
  readonly seconds?: number;
  readonly history?: boolean;
  readonly signal?: AbortSignal;
  onListening?(): void;
  onProgress?(observed: number): void;
}

export interface DriftReport {
  readonly findings: readonly DriftFinding[];
  /** Events seen on the contract's channels and streams. */
  readonly observed: number;
  readonly seconds: number;
}

export const DEFAULT_DRIFT_SECONDS = 10;

export async function contractDrift(transport: Transport, contract: Contract, options: DriftOptions = {}): Promise<DriftReport> {
  const set = await createContractSet([contract]);
  const observer = new DriftObserver(contract, set);
  const seconds = options.seconds ?? DEFAULT_DRIFT_SECONDS;
  // Shard channels have no patterns: a glob shard address cannot be listened to (its traffic stays unknown).
  const sources: InferSource[] = contract.channels
    .filter((ch) => !(ch.kind === 'shard' && isRedisGlob(ch.address)))
    .map((ch) => ({ kind: ch.kind, address: ch.address }));
  const unique = [...new Map(sources.map((s) => [`${s.kind}\u0000${s.address}`, s])).values()];
  if (unique.length) {
    await sampleTraffic(transport, unique, { seconds, history: options.history, signal: options.signal, onListening: options.onListening, onProgress: options.onProgress },
      (source, name, text) => observer.observe({ kind: KIND_TO_TARGET[source.kind], name }, text), () => observer.observed);
  }
  const findings = [...observer.findings(), ...await serverDrift(transport, contract, options.signal)];
  return { findings, observed: observer.observed, seconds };
}
