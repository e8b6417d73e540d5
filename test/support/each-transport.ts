// The transports a core test runs against: a private redis-server, then the embedded transport. Each `make()` gives
// a connected transport on fresh data and a `done()` that closes it (and stops the server).
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import { RedisTransport } from '../../src/core/transport/redis';
import type { Transport } from '../../src/core/transport/types';
import { startRedisServer } from './redis-server';

export interface TransportTarget {
  name: 'redis' | 'embedded';
  make(): Promise<{ transport: Transport; done: () => Promise<void> }>;
}

let embeddedSeq = 0;

export function transportTargets(label: string): TransportTarget[] {
  return [
    {
      name: 'redis',
      async make() {
        const server = await startRedisServer();
        const transport = new RedisTransport({ url: server.url });
        await transport.connect();
        return { transport, done: async () => { await transport.close(); await server.stop(); } };
      },
    },
    {
      name: 'embedded',
      async make() {
        const transport = new EmbeddedTransport({ name: `${label}-${process.pid}-${++embeddedSeq}` });
        await transport.connect();
        return { transport, done: () => transport.close() };
      },
    },
  ];
}
