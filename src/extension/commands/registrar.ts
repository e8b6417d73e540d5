// Registers command handlers behind the one error wrapper: a failure shows one clear message with "Show Log".
import * as vscode from 'vscode';
import type { ErrorReporter } from '../errors';

export class Registrar {
  readonly ids: string[] = [];

  constructor(private readonly subscriptions: vscode.Disposable[], private readonly errors: ErrorReporter) {}

  /** `title` names the action in an error message ("Publish Event failed: …"). */
  register(id: string, title: string, handler: (...args: any[]) => unknown): void {
    this.ids.push(id);
    this.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => this.errors.run(title, async () => handler(...args))));
  }
}
