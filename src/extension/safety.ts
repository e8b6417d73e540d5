// Two brakes on mutating actions: Workspace Trust (an untrusted workspace is read-only) and production connections
// (a confirmation before publish, replay, ack, claim, trim, delete, move to dead-letter, requeue, create group).
//
// Confirmations are quick picks whose first, highlighted row is Cancel: Enter and Escape both cancel; only picking
// the action goes on. A modal message cannot be made safe that way: VS Code focuses its first item and puts its own
// Cancel button after the items, so Enter would proceed.
import * as vscode from 'vscode';
import { showWarning } from './notify';
import type { Logger } from '../core/index';
import type { ActiveConnection } from './services';

export class SafetyGuard {
  constructor(private readonly log: Logger) {}

  /** false = do not proceed; the user has been told why (or said no). */
  async confirm(action: string, connection: ActiveConnection | undefined): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      this.log.info(`refused in an untrusted workspace: ${action}`);
      void showWarning(
        `UCore Events is read-only in an untrusted workspace: cannot ${action}. Trust the workspace to allow changes.`,
        'Manage Workspace Trust',
      ).then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return false;
    }
    if (connection?.production) {
      const ok = await askSafely(`"${connection.name}" is a PRODUCTION connection`, `Do you really want to ${action}?`, 'Proceed', `${action} on "${connection.name}"`);
      if (!ok) {
        this.log.info(`not confirmed on production "${connection.name}": ${action}`);
        return false;
      }
      this.log.info(`confirmed on production "${connection.name}": ${action}`);
    }
    return true;
  }

  /** A confirmation asked always (e.g. trimming), production or not; also applies the trust rule. */
  async confirmDestructive(action: string, detail: string, connection: ActiveConnection | undefined, button: string): Promise<boolean> {
    if (!(await this.confirm(action, undefined))) return false;
    const prod = connection?.production ? ` on the PRODUCTION connection "${connection.name}"` : '';
    const ok = await askSafely(`${capitalize(action)}${prod}?`, detail, button, detail);
    this.log.info(`${ok ? 'confirmed' : 'not confirmed'}: ${action}${prod}`);
    return ok;
  }
}

/**
 * Cancel first and highlighted, then the action: true only when the action row is picked. `question` is the
 * placeholder (what the user reads while deciding), `what` the action row's detail line.
 */
export async function askSafely(title: string, question: string, action: string, what: string): Promise<boolean> {
  const cancel: vscode.QuickPickItem = { label: '$(close) Cancel', description: 'Enter or Escape: change nothing' };
  const go: vscode.QuickPickItem = { label: `$(warning) ${action}`, detail: what };
  const pick = await vscode.window.showQuickPick([cancel, go], {
    title,
    placeHolder: question,
    ignoreFocusOut: true,
  });
  return pick === go;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
