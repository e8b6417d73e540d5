// "UCore: Show Event Flows" and "UCore: Trace Entity" (from the palette, with an entity id, or from a stream entry
// in the Streams view, whose event names the entity).
import * as vscode from 'vscode';
import { entityKey, readEvent } from '../../core/index';
import type { CommandContext } from '../commands/context';
import { nonEmpty, required } from '../commands/pickers';
import type { Registrar } from '../commands/registrar';
import { Commands } from '../constants';
import { DEFAULT_KEY_PATHS, FlowsPanel } from './flowsPanel';

export function registerFlowCommands(r: Registrar, ctx: CommandContext): FlowsPanel {
  const panel = new FlowsPanel(ctx.extension.extensionUri, ctx.services, ctx.monitor, ctx.monitorPanel);
  ctx.extension.subscriptions.push(panel);
  ctx.flows = panel;

  r.register(Commands.flowsShow, 'Show Event Flows', async () => {
    await panel.show();
  });

  r.register(Commands.flowsTrace, 'Trace Entity', async (arg?: unknown) => {
    const entity = typeof arg === 'string' && arg !== '' ? arg : entityOfEntry(arg) ?? required(await vscode.window.showInputBox({
      prompt: 'Entity to trace: an entity_id such as order:42, or the value at data.order_id (789) for events written the guide\'s way',
      ignoreFocusOut: true,
      validateInput: nonEmpty,
    })).trim();
    await panel.trace(entity);
  });
  return panel;
}

/** The entity a stream entry's event names (entity_id, else data.order_id), for the Streams view's context menu. */
function entityOfEntry(arg: unknown): string | undefined {
  const fields = (arg as { entry?: { fields?: Record<string, unknown> } } | undefined)?.entry?.fields;
  const text = fields?.event;
  if (typeof text !== 'string') return undefined;
  const r = readEvent(text);
  return r.ok ? entityKey({ keyPaths: DEFAULT_KEY_PATHS })(r.event)?.entity : undefined;
}
