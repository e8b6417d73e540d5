// Two brakes on mutating actions: Workspace Trust (an untrusted workspace is read-only) and production connections
// (a modal confirmation before publish, replay, ack, claim, trim, delete, move to dead-letter, requeue, create group).
import * as vscode from 'vscode';
import { showWarning } from './notify';
import type { Logger } from '../core/logger';
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
      const go = 'Proceed';
      const pick = await showWarning(
        `"${connection.name}" is a production connection.`,
        { modal: true, detail: `Do you really want to ${action}?` },
        go,
      );
      if (pick !== go) {
        this.log.info(`not confirmed on production "${connection.name}": ${action}`);
        return false;
      }
      this.log.info(`confirmed on production "${connection.name}": ${action}`);
    }
    return true;
  }

  /** A modal confirmation asked always (e.g. trimming), production or not; also applies the trust rule. */
  async confirmDestructive(action: string, detail: string, connection: ActiveConnection | undefined, button: string): Promise<boolean> {
    if (!(await this.confirm(action, undefined))) return false;
    const prod = connection?.production ? ` on the PRODUCTION connection "${connection.name}"` : '';
    const pick = await showWarning(`${capitalize(action)}${prod}?`, { modal: true, detail }, button);
    return pick === button;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
