// Writing NDJSON to a file with backpressure: each write waits while the stream's buffer is full, so an export of
// millions of entries holds a page or two in memory, not the file. One 'error' listener for the sink's life: waiting
// for 'drain' adds a listener that goes when the wait ends (racing `once(stream, 'error')` against it left an
// 'error' listener behind on every full buffer: MaxListenersExceededWarning after ten, and a leak).
import { createWriteStream, type WriteStream } from 'node:fs';

export interface TextSink {
  /** Text, or bytes of UTF-8 text. */
  write(text: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function fileSink(path: string): TextSink {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | null = null;
  /** Settles the wait in progress (drain, finish) when the stream fails. */
  let failWait: ((e: Error) => void) | null = null;
  stream.on('error', (e) => {
    failure = e;
    failWait?.(e);
  });
  const wait = (event: 'drain' | 'finish') => new Promise<void>((resolve, reject) => {
    if (failure) return reject(failure);
    const done = () => {
      failWait = null;
      resolve();
    };
    failWait = (e) => {
      stream.off(event, done);
      failWait = null;
      reject(e);
    };
    stream.once(event, done);
  });
  return {
    async write(text) {
      if (failure) throw failure;
      if (!stream.write(text)) await wait('drain');
      if (failure) throw failure;
    },
    async close() {
      if (failure) throw failure;
      const finished = wait('finish');
      stream.end();
      await finished;
    },
  };
}
