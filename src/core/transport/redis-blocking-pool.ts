// Blocking stream reads (XREAD/XREADGROUP with BLOCK) hold their connection until data comes or the block ends, so
// each runs on a connection of its own, never on the command connection: a BLOCKed read must not delay other calls.
// Connections are kept for reuse (a consumer loop reads again at once), a few at most; one that did not answer in
// time is dropped, not reused, since its late reply would be taken for the next read's.
import { TimeoutError } from '../errors';
import type { RedisClient } from './redis-clients';
import type { RedisConnections } from './redis-connections';
import { classifyCommandError } from './redis-errors';
import { withTimeout } from './redis-timeouts';

const MAX_IDLE = 4;

export class BlockingReadPool {
  private readonly idle: RedisClient[] = [];
  private readonly busy = new Set<RedisClient>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly description: string,
    private readonly commandTimeoutMs: number,
  ) {}

  /** A blocking read on a pooled connection; if Redis does not answer by blockMs + the command timeout, the
   *  connection is dropped (not reused) and the call fails with TimeoutError. */
  async run(command: string, args: Array<string | number>, blockMs: number): Promise<unknown> {
    const c = await this.acquire();
    let healthy = true;
    try {
      return await withTimeout(c.call(command, ...args), blockMs + this.commandTimeoutMs, () => {
        healthy = false;
        return new TimeoutError(`Redis at ${this.description} did not answer a blocking ${command} in time`);
      });
    } catch (e) {
      healthy = false;
      throw classifyCommandError(e, this.description);
    } finally {
      this.release(c, healthy);
    }
  }

  /** Every connection of the pool, idle or in use, handed over for closing; the pool is empty after. */
  drain(): RedisClient[] {
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    return all;
  }

  private async acquire(): Promise<RedisClient> {
    this.connections.command();
    let c = this.idle.pop();
    if (!c || c.status !== 'ready') {
      c?.disconnect();
      c = await this.connections.openBlocking();
    }
    this.busy.add(c);
    return c;
  }

  private release(c: RedisClient, healthy: boolean): void {
    this.busy.delete(c);
    if (healthy && !this.connections.isClosing && this.idle.length < MAX_IDLE) this.idle.push(c);
    else c.disconnect();
  }
}
