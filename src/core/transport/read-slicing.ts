// Bounds the synchronous work one socket's incoming data causes in one turn of the event loop. A subscriber that fell
// behind (a busy machine, a GC pause, a burst) has megabytes waiting: libuv reads up to 32 chunks of 64 KiB in one
// go and a readable stream hands every buffered chunk to its 'data' listeners in one loop (Readable flow), so
// ioredis parsed and emitted thousands of messages — each counted by the monitor, some checked against a contract —
// before anything else ran: 100-900 ms event-loop stalls of the VS Code extension host at 100,000 events/s.
//
// Here, after `budgetMs` of back-to-back chunks the socket is paused (what it reads meanwhile stays in the stream's
// buffer, then in the kernel and Redis, as when we read slowly) and resumed with setImmediate, after timers and
// other I/O have had their turn. Nothing is dropped or reordered; the cost per chunk of 64 KiB is one clock read.
import type { Duplex } from 'node:stream';

/** Milliseconds of back-to-back reading on one socket before it yields to the event loop. */
export const READ_SLICE_MS = 8;

/**
 * Makes `stream` yield after `budgetMs` of reading without a break (see the header). Idempotent per stream; the
 * listener goes with the stream.
 */
export function sliceReads(stream: Duplex, budgetMs = READ_SLICE_MS): void {
  const marked = stream as Duplex & { [SLICED]?: true };
  if (marked[SLICED]) return;
  marked[SLICED] = true;
  // The time the current run of chunks started; -1 when the event loop has turned since the last chunk.
  let runStart = -1;
  let paused = false;
  const turned = () => { runStart = -1; };
  const resume = () => {
    paused = false;
    runStart = -1;
    if (!stream.destroyed) stream.resume();
  };
  // After the parser's own listener (ioredis prepends its own): the chunk has been parsed and its messages emitted.
  stream.on('data', () => {
    const t = performance.now();
    if (runStart < 0) {
      runStart = t;
      setImmediate(turned);
      return;
    }
    if (paused || t - runStart < budgetMs) return;
    paused = true;
    stream.pause();
    setImmediate(resume);
  });
}

const SLICED = Symbol('ucore.sliceReads');
