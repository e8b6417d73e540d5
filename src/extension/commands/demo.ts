// "Start / Stop Demo Traffic": the guide's e-commerce flow (core runDemo) on the active connection until stopped.
// The context key ucore.demoRunning switches which of the two the views' title bars show.
// The demo belongs to the connection it started on: it keeps running there when another connection becomes active
// (the monitor and the status bar say where it runs), and stops, saying why, when that connection goes away.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { runDemo, type DemoSummary, describeError } from '../../core/index';
import { Commands, ContextKeys } from '../constants';
import type { ErrorReporter } from '../errors';
import { Disposable, toDisposable } from '../lifecycle';
import type { Publisher } from '../publishing/publisher';
import type { ActiveConnection, ExtensionServices } from '../services';
import type { Registrar } from './registrar';

export class DemoController extends Disposable {
  private run: { connection: ActiveConnection; abort: AbortController; done: Promise<DemoSummary | undefined>; events: number } | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<boolean>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: ExtensionServices, private readonly errors: ErrorReporter, private readonly publisher: Publisher) {
    super();
    void vscode.commands.executeCommand('setContext', ContextKeys.demoRunning, false);
    this.register(toDisposable(() => {
      this.run?.abort.abort();
      this.run = undefined;
    }));
    // The demo runs on its own connection, active or not; when that link is gone (disconnected, removed, closed),
    // so is the demo.
    this.register(services.connections.onDidChange(() => {
      const run = this.run;
      if (run && services.connections.live(run.connection.name) !== run.connection) void this.stopBecause(run, `"${run.connection.name}" was disconnected`);
    }));
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /** The connection the demo runs on, while it runs. */
  get connectionName(): string | undefined {
    return this.run?.connection.name;
  }

  /** Events the running demo has sent so far. */
  get events(): number {
    return this.run?.events ?? 0;
  }

  async start(connection: ActiveConnection): Promise<void> {
    if (this.run) return;
    const abort = new AbortController();
    const log = this.services.log.scoped('demo');
    const rate = this.services.settings.get('demoRatePerSecond');
    const state = { connection, abort, events: 0, done: Promise.resolve<DemoSummary | undefined>(undefined) };
    state.done = runDemo(connection.transport, {
      ratePerSecond: rate,
      signal: abort.signal,
      storeKey: this.services.settings.get('storeStreamKey'),
      logger: log,
      // The core runner writes the events itself; the Publisher's checks see each of them first.
      beforeSend: this.publisher.checkFor(connection),
      onEvent: () => { state.events++; },
    }).then(
      (summary) => {
        log.info(`demo finished: ${JSON.stringify(summary)}`);
        return summary;
      },
      (e) => {
        if (abort.signal.aborted) return undefined;
        this.errors.report('Demo traffic', e);
        return undefined;
      },
    ).finally(() => {
      if (this.run === state) {
        this.run = undefined;
        this.setContext(false);
      }
    });
    this.run = state;
    this.setContext(true);
    log.info(`demo started on "${connection.name}" at ${rate} events/s`);
  }

  async stop(): Promise<DemoSummary | undefined> {
    const run = this.run;
    if (!run) return undefined;
    run.abort.abort();
    this.run = undefined;
    this.setContext(false);
    try {
      return await run.done;
    } catch (e) {
      this.services.log.debug(`[demo] stop: ${describeError(e)}`);
      return undefined;
    }
  }

  private async stopBecause(run: NonNullable<DemoController['run']>, why: string): Promise<void> {
    if (this.run !== run) return;
    const summary = await this.stop();
    this.services.log.info(`[demo] stopped: ${why}`);
    void showInfo(`Demo traffic stopped: ${why}${summary ? ` (after ${summary.events} events)` : ''}.`);
  }

  private setContext(running: boolean): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.demoRunning, running);
    this.changed.fire(running);
  }
}

export function registerDemoCommands(r: Registrar, services: ExtensionServices, demo: DemoController, onStarted: () => void): void {
  r.register(Commands.demoStart, 'Start Demo Traffic', async () => {
    const conn = await services.requireConnection();
    if (demo.running) {
      if (demo.connectionName !== conn.name) void showInfo(`Demo traffic is already running on "${demo.connectionName}" (one demo at a time): stop it first to start it on "${conn.name}".`);
      return true;
    }
    if (!(await services.guard(`send demo traffic (the guide's e-commerce flow) to "${conn.name}"`, conn))) return false;
    await demo.start(conn);
    onStarted();
    vscode.window.setStatusBarMessage(`$(play) Demo traffic on ${conn.name}`, 4000);
    return true;
  });

  r.register(Commands.demoStop, 'Stop Demo Traffic', async () => {
    const where = demo.connectionName;
    const summary = await demo.stop();
    if (summary) {
      void showInfo(
        `Demo stopped${where ? ` on "${where}"` : ''}: ${summary.events} events, ${summary.orders} orders (${summary.paid} paid, ${summary.shipped} shipped), ${summary.deadLettered} dead-lettered, ${summary.sagas} sagas.`,
      );
    }
    return summary;
  });
}
