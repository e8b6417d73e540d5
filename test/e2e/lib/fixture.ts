// The one set-up of the UI tests: the servers a file needs, a code-server with the built extension, a workbench in
// headless Chromium. useWorkbench() registers its own before() and after(): call it at the top of a describe().
//
//   describe('...', { timeout: 300_000 }, () => {
//     const e2e = useWorkbench({ name: 'flows', redis: true, settings: (f) => ({ 'ucore.connections': [{ name: 'r', url: f.redis.url }] }) });
//     it('...', async () => { await e2e.wb.runCommand('UCore: Show Version'); });
//   });
//
// after() stops whatever before() got to start, also when before() failed half-way: the file's own cleanup first,
// then the workbench (~700 MiB), code-server (~550 MiB) and the servers, the last started first.
import { after, before } from 'node:test';
import { startRedisServer, type RedisServerHandle, type RedisServerOptions } from '../../support/redis-server';
import { startCodeServer, type CodeServer } from './code-server';
import { openWorkbench, type Workbench } from './workbench';

/** Anything the fixture starts and stops: a redis-server, a cluster, a Sentinel set-up, a fake server. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** The code-server the workbench opens: startCodeServer()'s by default, or the file's own (see `codeServer`). */
export interface WorkbenchServer extends Stoppable {
  url: string;
  /** The folder the workbench opens. */
  workspace: string;
}

type Resolvable<T, F> = T | ((fixture: F) => T | Promise<T>);

export interface WorkbenchFixtureOptions<S extends Record<string, Stoppable>> {
  /** Prefix of the progress lines: "[flows 12.3 s] workbench up". */
  name: string;
  /** A redis-server for the file (`fixture.redis`): true, or startRedisServer's options (e.g. a password). */
  redis?: boolean | RedisServerOptions;
  /** More servers, started in order after `redis` (`fixture.servers.<key>`): a second redis-server, a cluster... */
  servers?: { [K in keyof S]: () => Promise<S[K]> };
  /** User settings merged over start-code-server.sh's defaults; a function may read the servers' ports. */
  settings?: Resolvable<object, WorkbenchFixture<S>>;
  /** Environment of code-server, inherited by the extension host. */
  env?: Resolvable<Record<string, string>, WorkbenchFixture<S>>;
  /** Files written into the fresh workspace before code-server starts: path relative to it → content. */
  files?: Resolvable<Record<string, string>, WorkbenchFixture<S>>;
  /** Keep Workspace Trust on: the folder opens in Restricted Mode. Default false. */
  trust?: boolean;
  /** Start code-server another way (the smoke test goes through `npm start`); settings/env/files/trust are then unused. */
  codeServer?: (fixture: WorkbenchFixture<S>) => Promise<WorkbenchServer>;
  /** Stops what the file started itself (clients, background CLIs); runs first in after(). */
  cleanup?: () => unknown;
}

export interface WorkbenchFixture<S extends Record<string, Stoppable> = Record<string, never>> {
  /** The workbench; throws when read before before() opened it. */
  readonly wb: Workbench;
  /** The code-server startCodeServer() started (run dir, logs); throws when `codeServer` started it instead. */
  readonly server: CodeServer;
  /** The redis-server of `redis: true`. */
  readonly redis: RedisServerHandle;
  /** The servers of `servers`, by key. */
  readonly servers: S;
  /** Browser dialogs (alert, confirm...) the page opened, as "type: message"; each one is dismissed. */
  readonly dialogs: string[];
  /** Prints a progress line with the seconds since the fixture was set up. */
  lap(message: string): void;
}

export function useWorkbench<S extends Record<string, Stoppable> = Record<string, never>>(options: WorkbenchFixtureOptions<S>): WorkbenchFixture<S> {
  const t0 = Date.now();
  const lap = (message: string) => console.log(`[${options.name} ${((Date.now() - t0) / 1000).toFixed(1)} s] ${message}`);
  const started: Stoppable[] = [];
  const servers = {} as S;
  const dialogs: string[] = [];
  let redis: RedisServerHandle | undefined;
  let server: WorkbenchServer | undefined;
  let codeServer: CodeServer | undefined;
  let wb: Workbench | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the e2e fixture has no ${what}: read it in a test or hook after before() ran`);
    return value;
  };

  const fixture: WorkbenchFixture<S> = {
    get wb() { return ready(wb, 'workbench'); },
    get server() { return ready(codeServer, options.codeServer ? 'code-server of its own (the file started it)' : 'code-server'); },
    get redis() { return ready(redis, 'redis-server (redis: true)'); },
    servers,
    dialogs,
    lap,
  };
  const resolve = async <T>(value: Resolvable<T, WorkbenchFixture<S>> | undefined): Promise<T | undefined> =>
    typeof value === 'function' ? (value as (f: WorkbenchFixture<S>) => T | Promise<T>)(fixture) : value;

  before(async () => {
    if (options.redis) {
      redis = await startRedisServer(options.redis === true ? {} : options.redis);
      started.push(redis);
    }
    for (const [key, start] of Object.entries(options.servers ?? {}) as [keyof S, () => Promise<S[keyof S]>][]) {
      const begun = Date.now();
      servers[key] = await start();
      started.push(servers[key]);
      lap(`${String(key)} up in ${Date.now() - begun} ms`);
    }
    if (options.codeServer) {
      server = await options.codeServer(fixture);
    } else {
      server = codeServer = await startCodeServer({
        trust: options.trust,
        settings: await resolve(options.settings),
        env: await resolve(options.env),
        files: await resolve(options.files),
      });
    }
    wb = await openWorkbench(server.url, server.workspace);
    // An alert()/confirm() from the page or any frame (a hostile payload, say) is recorded, never left open.
    wb.page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
    lap('workbench up');
  });

  after(async () => {
    // Everything is stopped even when a step fails; the first failure is reported afterwards.
    const failures: unknown[] = [];
    const attempt = async (fn: () => unknown) => { try { await fn(); } catch (e) { failures.push(e); } };
    if (options.cleanup) await attempt(options.cleanup);
    if (wb) await attempt(() => wb!.close());
    if (server) await attempt(() => server!.stop());
    for (const s of started.reverse()) await attempt(() => s.stop());
    lap('stopped');
    if (failures.length) throw failures[0];
  });

  return fixture;
}
