// Read-only documents (scheme `ucore-event`) showing one event, pretty-printed. The content is captured when the
// document is opened; a bounded number of documents is kept.
import * as vscode from 'vscode';
import type { StreamEntry } from '../../core/index';
import { Schemes } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';

/** Larger payloads are cut, with a note: an editor holding megabytes of one line helps nobody. */
export const MAX_EVENT_DOCUMENT_CHARS = 1_000_000;
const MAX_DOCUMENTS = 100;

export class EventDocumentProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private counter = 0;

  constructor() {
    super();
    this.register(toDisposable(() => this.contents.clear()));
    this.register(vscode.workspace.registerTextDocumentContentProvider(Schemes.event, this));
    this.register(vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === Schemes.event) this.contents.delete(d.uri.toString());
    }));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '// This event is no longer in memory: inspect it again from the explorer.\n';
  }

  /** Opens a read-only editor with `text`; `name` becomes the tab title. `beside` keeps a panel (the monitor) in view. */
  async open(name: string, text: string, json: boolean, options: { beside?: boolean } = {}): Promise<vscode.TextDocument> {
    const safe = name.replace(/[\\/?#%\u0000-\u001f]/g, '_').slice(0, 120) || 'event';
    const uri = vscode.Uri.from({ scheme: Schemes.event, path: `/${safe}${json ? '.json' : '.txt'}`, query: `n=${++this.counter}` });
    this.contents.set(uri.toString(), text);
    while (this.contents.size > MAX_DOCUMENTS) this.contents.delete(this.contents.keys().next().value as string);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: options.beside ? vscode.ViewColumn.Beside : undefined });
    return doc;
  }
}

/**
 * The text of a stream entry for a person: the `event` field pretty-printed when it is the only field and JSON; all
 * fields as a JSON object otherwise (a JSON `event` field inside it is expanded). Non-JSON text is shown as is.
 */
export function formatEntry(entry: StreamEntry): { text: string; json: boolean } {
  const keys = Object.keys(entry.fields);
  if (keys.length === 1 && keys[0] === 'event') return formatPayload(entry.fields.event);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = entry.fields[k];
    if (k === 'event') {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the text
      }
    }
    out[k] = v;
  }
  return { text: truncate(JSON.stringify(out, null, 2)), json: true };
}

export function formatPayload(payload: string): { text: string; json: boolean } {
  if (payload.length <= MAX_EVENT_DOCUMENT_CHARS) {
    try {
      return { text: `${JSON.stringify(JSON.parse(payload), null, 2)}\n`, json: true };
    } catch {
      return { text: payload, json: false };
    }
  }
  return { text: truncate(payload), json: false };
}

function truncate(text: string): string {
  if (text.length <= MAX_EVENT_DOCUMENT_CHARS) return text;
  return `${text.slice(0, MAX_EVENT_DOCUMENT_CHARS)}\n\n… truncated: ${text.length - MAX_EVENT_DOCUMENT_CHARS} more characters not shown (${text.length} in all).\n`;
}
