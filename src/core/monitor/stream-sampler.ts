// Samples streams for the monitor: length (XINFO STREAM), groups' pending and lag (XINFO GROUPS), and how many
// entries arrived since the previous sample. All streams are asked at once (concurrent commands share one
// connection, so they travel together), and a sample still under way is never overlapped by the next.
import { describeError } from '../errors';
import type { Transport } from '../transport/types';
import type { StreamSample } from './types';

export class StreamSampler {
  private readonly latest = new Map<string, StreamSample>();
  private running: Promise<void> | null = null;

  constructor(private readonly transport: Transport, readonly streams: readonly string[]) {}

  sample(nowMs: number): Promise<void> {
    if (this.running) return this.running;
    this.running = Promise.all(this.streams.map((s) => this.sampleOne(s, nowMs))).then(
      () => undefined,
      () => undefined,
    ).finally(() => { this.running = null; });
    return this.running;
  }

  samples(): StreamSample[] {
    return this.streams.map((s) => this.latest.get(s)).filter((s): s is StreamSample => !!s).map((s) => ({ ...s, groups: s.groups.map((g) => ({ ...g })) }));
  }

  clear(): void {
    this.latest.clear();
  }

  private async sampleOne(stream: string, nowMs: number): Promise<void> {
    const previous = this.latest.get(stream);
    try {
      const [info, groups] = await Promise.all([
        this.transport.xinfoStream(stream),
        this.transport.xinfoGroups(stream).catch(() => []), // a missing stream answers ERR here: no groups
      ]);
      const length = info?.length ?? 0;
      const hasBaseline = previous !== undefined && previous.error === undefined;
      const newEntries = hasBaseline ? Math.max(0, length - previous.length) : 0;
      const seconds = hasBaseline ? (nowMs - previous.sampledAt) / 1000 : 0;
      this.latest.set(stream, {
        stream,
        exists: info !== null,
        length,
        lastId: info?.lastGeneratedId ?? null,
        newEntries,
        entriesPerSecond: hasBaseline && seconds > 0 ? newEntries / seconds : null,
        groups: groups.map((g) => ({ name: g.name, consumers: g.consumers, pending: g.pending, lag: g.lag })),
        sampledAt: nowMs,
      });
    } catch (e) {
      const failed: StreamSample = previous
        ? { ...previous, sampledAt: nowMs, error: describeError(e) }
        : { stream, exists: false, length: 0, lastId: null, newEntries: 0, entriesPerSecond: null, groups: [], sampledAt: nowMs, error: describeError(e) };
      this.latest.set(stream, failed);
    }
  }
}
