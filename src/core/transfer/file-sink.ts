// Writing NDJSON to a file with backpressure: each write waits while the stream's buffer is full, so an export of
// millions of entries holds a page or two in memory, not the file.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export interface TextSink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

export function fileSink(path: string): TextSink {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | null = null;
  stream.on('error', (e) => { failure = e; });
  return {
    async write(text) {
      if (failure) throw failure;
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw failure;
    },
    async close() {
      if (failure) throw failure;
      stream.end();
      await once(stream, 'finish');
    },
  };
}
