// Builds the ExtensionServices object activate() hands to every area: a container that wires settings, connections,
// registry, errors and safety together. Use cases live elsewhere (sending events: publishing/publisher.ts).
import * as vscode from 'vscode';
import { showWarning } from './notify';
import { ecommerceRegistry, BadInputError, UCoreError, type SchemaRegistry } from '../core/index';
import { ConnectionManager } from './connections/connectionManager';
import { Settings } from './connections/settings';
import { ContractService } from './contracts/contractService';
import { ErrorReporter } from './errors';
import { SafetyGuard } from './safety';
import type { ActiveConnection, ExtensionLog, ExtensionServices } from './services';

export interface BuiltServices extends ExtensionServices {
  errors: ErrorReporter;
  safety: SafetyGuard;
  /** Everything to dispose at deactivation, in order. */
  disposables: vscode.Disposable[];
}

export function createServices(context: vscode.ExtensionContext, log: ExtensionLog): BuiltServices {
  const settings = new Settings(log.scoped('settings'), (message) => {
    void showWarning(message, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'ucore.');
    });
  });
  const connections = new ConnectionManager(settings, context.secrets, context.globalState, log);
  // Built when first asked for (an .events file, Publish Event): its schemas cost activation time (issue 13).
  let registry: SchemaRegistry | undefined;
  const errors = new ErrorReporter(log);
  const safety = new SafetyGuard(log.scoped('safety'));
  const contracts = new ContractService(settings, log.scoped('contracts'));

  const activeConnection = (): ActiveConnection | undefined => connections.live(connections.activeConnectionName);

  const requireConnection = async (): Promise<ActiveConnection> => {
    const entry = connections.active;
    if (!entry) throw new BadInputError('no connection is active; add or pick one in the Connections view');
    if (!connections.catalog.isAllowed(entry.config)) {
      throw new UCoreError('BAD_INPUT', `"${entry.config.name}" is defined in the workspace settings; trust the workspace to connect to it.`);
    }
    return connections.connect(entry.config.name);
  };

  const built: BuiltServices = {
    log,
    settings,
    connections,
    get registry() {
      return (registry ??= ecommerceRegistry());
    },
    contracts,
    errors,
    safety,
    guard: (action, connection) => safety.confirm(action, connection ?? activeConnection()),
    activeConnection,
    requireConnection,
    handleErrors: (what, task) => errors.run(what, task),
    disposables: [connections, settings, contracts],
  };
  return built;
}
