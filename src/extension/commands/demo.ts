// "Start / Stop Demo Traffic": the guide's e-commerce flow (core runDemo) on the active connection until stopped.
// The context key ucore.demoRunning switches which of the two the views' title bars show.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { runDemo, type DemoSummary } from '../../core/domain/demo';
import { describeError } from '../../core/errors';
import { Commands, ContextKeys } from '../constants';
import type { ErrorReporter } from '../errors';
import type { ActiveConnection, ExtensionServices } from '../services';
import type { Registrar } from './registrar';

export class DemoController implements vscode.Disposable {
  private run: { connection: ActiveConnection; abort: AbortController; done: Promise<DemoSummary | undefined>; events: number } | undefined;
  private readonly changed = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.changed.event;
  private readonly activeSub: vscode.Disposable;

  constructor(private readonly services: ExtensionServices, private readonly errors: ErrorReporter) {
    void vscode.commands.executeCommand('setContext', ContextKeys.demoRunning, false);
    // The demo runs on one connection: when that one stops being active or connected, so does the demo.
    this.activeSub = services.connections.onDidChangeActive((live) => {
      if (this.run && live !== this.run.connection) void this.stop();
    });
  }

  get running(): boolean {
    return this.run !== undefined;
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

  private setContext(running: boolean): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.demoRunning, running);
    this.changed.fire(running);
  }

  dispose(): void {
    this.activeSub.dispose();
    this.run?.abort.abort();
    this.run = undefined;
    this.changed.dispose();
  }
}

export function registerDemoCommands(r: Registrar, services: ExtensionServices, demo: DemoController, onStarted: () => void): void {
  r.register(Commands.demoStart, 'Start Demo Traffic', async () => {
    const conn = await services.requireConnection();
    if (demo.running) return true;
    if (!(await services.guard(`send demo traffic (the guide's e-commerce flow) to "${conn.name}"`, conn))) return false;
    await demo.start(conn);
    onStarted();
    vscode.window.setStatusBarMessage(`$(play) Demo traffic on ${conn.name}`, 4000);
    return true;
  });

  r.register(Commands.demoStop, 'Stop Demo Traffic', async () => {
    const summary = await demo.stop();
    if (summary) {
      void showInfo(
        `Demo stopped: ${summary.events} events, ${summary.orders} orders (${summary.paid} paid, ${summary.shipped} shipped), ${summary.deadLettered} dead-lettered, ${summary.sagas} sagas.`,
      );
    }
    return summary;
  });
}
