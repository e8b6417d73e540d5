// The command behind "UCore: Open Stream Entries": from a stream (or its Entries folder) in the Streams view, a
// stream key, or a stream picked from the palette; an optional time opens the page there. One panel per connection
// and stream: opening it again shows the same panel (at the time given, if any).
import type * as vscode from 'vscode';
import type { CommandContext } from '../commands/context';
import { pickStream } from '../commands/pickers';
import { StreamEntriesPanel } from './entriesPanel';

const panels = new Map<string, StreamEntriesPanel>();
let registered = false;

export async function openStreamEntries(ctx: CommandContext, arg?: unknown, at?: unknown): Promise<StreamEntriesPanel> {
  const conn = await ctx.services.requireConnection();
  const node = arg && typeof arg === 'object' && ['stream', 'entries'].includes(String((arg as { kind?: unknown }).kind)) ? arg as { key: string } : undefined;
  const given = arg && typeof arg === 'object' && typeof (arg as { stream?: unknown }).stream === 'string' ? (arg as { stream: string }).stream : undefined;
  const stream = node?.key ?? given ?? (typeof arg === 'string' && arg !== '' ? arg : await pickStream(conn, 'Stream whose entries to open'));
  if (!registered) {
    registered = true;
    ctx.extension.subscriptions.push({ dispose: () => { for (const p of [...panels.values()]) p.dispose(); } } as vscode.Disposable);
  }
  const key = `${conn.name}\u0000${stream}`;
  let panel = panels.get(key);
  if (panel) panel.panel.reveal();
  else {
    panel = new StreamEntriesPanel(ctx.extension.extensionUri, ctx.services, ctx.eventDocuments, conn.name, stream, () => panels.delete(key));
    panels.set(key, panel);
  }
  await panel.seek(typeof at === 'string' ? at : undefined);
  return panel;
}
