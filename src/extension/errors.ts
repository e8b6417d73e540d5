// One way to fail in front of the user: a single clear message with "Show Log", the detail in the log, nothing
// swallowed. The same message is not stacked while it is still on screen.
import * as vscode from 'vscode';
import { showError } from './notify';
import { describeError, isUCoreError } from '../core/index';
import type { ExtensionLog } from './services';

/** Hides credentials a message may carry despite the core's care (e.g. an error text from a third party). */
export function scrub(text: string): string {
  return text
    .replace(/\b(rediss?:\/\/[^:@\s/]*:)[^@\s/]+@/gi, '$1***@')
    .replace(/([,?&]password=)[^,&\s]*/gi, '$1***');
}

export function isCancellation(e: unknown): boolean {
  return e instanceof vscode.CancellationError || (isUCoreError(e) && e.code === 'ABORTED');
}

export class ErrorReporter {
  private readonly showing = new Set<string>();

  constructor(private readonly log: ExtensionLog) {}

  report(what: string, e: unknown): void {
    if (isCancellation(e)) {
      this.log.info(`${what}: cancelled`);
      return;
    }
    const line = scrub(describeError(e));
    const detail = e instanceof Error ? `${e.name}${isUCoreError(e) ? ` (${e.code})` : ''}: ${e.message}` : String(e);
    const cause = e instanceof Error && e.cause instanceof Error ? ` — caused by ${e.cause.name}: ${e.cause.message}` : '';
    this.log.error(scrub(`${what} failed: ${detail}${cause}`));
    if (e instanceof Error && e.stack && !isUCoreError(e)) this.log.debug(scrub(e.stack));
    const message = `${what} failed: ${line}`;
    if (this.showing.has(message)) return;
    this.showing.add(message);
    void showError(message, 'Show Log').then((pick) => {
      this.showing.delete(message);
      if (pick) this.log.show(false);
    });
  }

  async run<T>(what: string, task: () => Promise<T>): Promise<T | undefined> {
    try {
      return await task();
    } catch (e) {
      this.report(what, e);
      return undefined;
    }
  }
}
