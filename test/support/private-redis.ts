// One private redis-server and a connected RedisTransport for a describe block: `const r = privateRedis();` then
// `r.t` and `r.url` inside the tests (set in `before`, closed in `after`).
import { before, after } from 'node:test';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from './redis-server';

export function privateRedis(): { t: RedisTransport; url: string } {
  const handle = {} as { t: RedisTransport; url: string };
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedisServer();
    handle.url = server.url;
    handle.t = new RedisTransport({ url: server.url });
    await handle.t.connect();
  });
  after(async () => { await handle.t.close(); await server.stop(); });
  return handle;
}
