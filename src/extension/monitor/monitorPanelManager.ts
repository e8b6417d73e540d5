// Owns the one monitor panel: creates or reveals it, and restores it after a reload (the serializer is registered at
// activation so VS Code can hand back a panel it kept). The panel's module — its zod message schemas, the update
// builder — is loaded when the first panel is made, not at activation (issue 13).
import * as vscode from 'vscode';
import { MONITOR_VIEW_TYPE } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import { webviewPanelOptions } from '../webviewHtml';
import type { MonitorFilters, MonitorPanel, MonitorPanelDeps } from './MonitorPanel';

/** What commands see of the panel. */
export interface MonitorPanelHost {
  createOrShow(focusChannel?: string | null): MonitorPanel;
  /** Opens (beside the active editor) or shows the panel with its recent events filtered to a channel and/or type. */
  showFiltered(filters: MonitorFilters, options?: { open?: boolean }): MonitorPanel | undefined;
  readonly current: MonitorPanel | undefined;
}

export class MonitorPanelManager extends Disposable implements MonitorPanelHost {
  private panel: MonitorPanel | undefined;
  /** Messages posted by every panel so far (the benchmark's "UI updates"). */
  private postedBefore = 0;

  constructor(private readonly deps: MonitorPanelDeps) {
    super();
    this.register(toDisposable(() => this.panel?.dispose()));
    this.register(vscode.window.registerWebviewPanelSerializer(MONITOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const focus = state && typeof state === 'object' && typeof (state as { focusChannel?: unknown }).focusChannel === 'string'
          ? (state as { focusChannel: string }).focusChannel : null;
        this.adopt(panel, focus);
      },
    }));
  }

  get current(): MonitorPanel | undefined {
    return this.panel;
  }

  /** Updates posted to monitor panels since activation. */
  get totalPosted(): number {
    return this.postedBefore + (this.panel?.updatesPosted ?? 0);
  }

  createOrShow(focusChannel: string | null = null): MonitorPanel {
    if (this.panel) {
      this.panel.reveal();
      if (focusChannel !== null) this.panel.focus(focusChannel);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(MONITOR_VIEW_TYPE, 'UCore Monitor', vscode.ViewColumn.Active, webviewPanelOptions(this.deps.extensionUri));
    return this.adopt(panel, focusChannel);
  }

  showFiltered(filters: MonitorFilters, options: { open?: boolean } = {}): MonitorPanel | undefined {
    if (!this.panel && options.open === false) return undefined;
    if (!this.panel) {
      const created = vscode.window.createWebviewPanel(MONITOR_VIEW_TYPE, 'UCore Monitor', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewPanelOptions(this.deps.extensionUri));
      this.adopt(created, null);
    } else if (options.open !== false) {
      this.panel.panel.reveal(undefined, true);
    }
    this.panel!.setFilters(filters);
    return this.panel;
  }

  private adopt(webviewPanel: vscode.WebviewPanel, focusChannel: string | null): MonitorPanel {
    this.panel?.dispose();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MonitorPanel: Panel } = require('./MonitorPanel') as typeof import('./MonitorPanel');
    const panel = new Panel(webviewPanel, this.deps, focusChannel);
    this.panel = panel;
    panel.onDidDispose(() => {
      this.postedBefore += panel.updatesPosted;
      if (this.panel === panel) this.panel = undefined;
    });
    return panel;
  }
}
