// Completion in `.events` files:
//   `### ` …                  → `channel: ` / `shard: ` / `stream: `, then known channel names, shard channels or
//                               stream keys
//   `"event_type": "` …       → the registry's event types (latest version as detail, template as documentation)
//   `{{` …                    → placeholders
//   an empty block            → a whole event from the registry's template
//   a property name or value  → the names and enum/const values the workspace contract's schema declares there, for
//                               the block's channel/stream and event_type (contractCompletion.ts)
import {
  DEAD_LETTER_STREAM,
  ECOMMERCE_CHANNEL,
  USER_CHANNEL,
  type Transport,
  PLACEHOLDERS,
  type TargetKind,
} from '../../core/index';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import type { EventsDocuments } from './documents';
import { contractCompletions } from './contractCompletion';

/** The guide's channels. */
export const KNOWN_CHANNELS = [ECOMMERCE_CHANNEL, USER_CHANNEL, 'orders', 'events', 'saga_events'];
const LIVE_LOOKUP_MS = 300;
const MAX_LIVE = 200;
const LOOK_BEHIND = 1_200;

export const COMPLETION_TRIGGERS = ['{', '"', ' ', ':'];

export class EventsCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly services: ExtensionServices, private readonly documents: EventsDocuments) {}

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const line = doc.lineAt(pos.line).text;
    // Only the text near the cursor matters; a 5 MB line must not be run through the patterns below.
    const before = line.slice(Math.max(0, pos.character - LOOK_BEHIND), pos.character);
    const after = line.slice(pos.character, pos.character + 2);
    if (line.startsWith('###')) return pos.character <= LOOK_BEHIND ? this.header(doc, pos, before) : undefined;
    const placeholder = /\{\{\s*([A-Za-z_]\w*)?$/.exec(before);
    if (placeholder) return placeholders(pos, placeholder[1] ?? '', after);
    const fromContract = contractCompletions(this.services.contracts.peek(), this.documents.get(doc), doc, pos);
    const type = /"event_type"\s*:\s*"([^"\\]*)$/.exec(before);
    if (type) return [...(fromContract ?? []), ...this.eventTypes(pos, type[1])];
    if (fromContract?.length) return fromContract;
    if (before.trim() === '' && this.inEmptyBlock(doc, pos.line)) return this.templates();
    return undefined;
  }

  private async header(doc: vscode.TextDocument, pos: vscode.Position, before: string): Promise<vscode.CompletionItem[] | undefined> {
    const rest = before.replace(/^#+/, '');
    const named = /^\s*(channel|shard|stream)\s*:\s*(.*)$/i.exec(rest);
    if (named) {
      const kind = named[1].toLowerCase() as TargetKind;
      const range = new vscode.Range(pos.line, pos.character - named[2].length, pos.line, pos.character);
      const names = kind === 'channel' ? await this.channelNames(doc) : kind === 'shard' ? await this.shardChannelNames(doc) : this.streamKeys(doc);
      return names.map(({ name, detail }, k) => {
        const item = new vscode.CompletionItem(name, kind === 'stream' ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.Event);
        item.range = range;
        item.detail = detail;
        item.sortText = String(k).padStart(4, '0');
        return item;
      });
    }
    const word = /^\s*([A-Za-z]*)$/.exec(rest);
    if (!word) return undefined;
    const range = new vscode.Range(pos.line, pos.character - word[1].length, pos.line, pos.character);
    const lead = rest.length === 0 ? ' ' : '';
    return [
      ['channel', 'publish the event(s) below on a pub/sub channel'],
      ['shard', 'publish the event(s) below on a shard channel (SPUBLISH, Redis 7: on a cluster only its shard carries it)'],
      ['stream', 'append the event(s) below to a stream (event_store: the event store)'],
    ].map(([k, detail]) => {
      const item = new vscode.CompletionItem(`${k}: `, vscode.CompletionItemKind.Keyword);
      item.insertText = `${lead}${k}: `;
      item.range = range;
      item.detail = detail;
      item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest names' };
      return item;
    });
  }

  private async channelNames(doc: vscode.TextDocument): Promise<Array<{ name: string; detail: string }>> {
    const out = new Map<string, string>();
    for (const c of KNOWN_CHANNELS) out.set(c, 'channel of the guide');
    for (const b of this.documents.get(doc).blocks) if (b.target?.kind === 'channel' && !out.has(b.target.name)) out.set(b.target.name, 'used in this file');
    for (const c of await this.live((t) => t.pubsubChannels())) if (!out.has(c)) out.set(c, 'has subscribers now');
    return [...out].map(([name, detail]) => ({ name, detail }));
  }

  private async shardChannelNames(doc: vscode.TextDocument): Promise<Array<{ name: string; detail: string }>> {
    const out = new Map<string, string>();
    for (const b of this.documents.get(doc).blocks) if (b.target?.kind === 'shard' && !out.has(b.target.name)) out.set(b.target.name, 'used in this file');
    // Before Redis 7 PUBSUB SHARDCHANNELS is an error: live() then gives nothing, which is right.
    for (const c of await this.live((t) => t.pubsubShardChannels())) if (!out.has(c)) out.set(c, 'has shard subscribers now');
    return [...out].map(([name, detail]) => ({ name, detail }));
  }

  private streamKeys(doc: vscode.TextDocument): Array<{ name: string; detail: string }> {
    const out = new Map<string, string>();
    out.set(this.services.settings.get('storeStreamKey'), 'the event store (also published on channel "events")');
    out.set(DEAD_LETTER_STREAM, 'dead-letter stream');
    for (const b of this.documents.get(doc).blocks) if (b.target?.kind === 'stream' && !out.has(b.target.name)) out.set(b.target.name, 'used in this file');
    return [...out].map(([name, detail]) => ({ name, detail }));
  }

  /** Channel names `list` finds on the connected connection, if one is connected and answers quickly. */
  private async live(list: (t: Transport) => Promise<string[]>): Promise<string[]> {
    const conn = this.services.activeConnection();
    if (!conn) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<string[]>((resolve) => { timer = setTimeout(() => resolve([]), LIVE_LOOKUP_MS); });
      const names = await Promise.race([list(conn.transport), timeout]);
      return names.filter((n) => n.length <= 200).slice(0, MAX_LIVE);
    } catch {
      return []; // completion must not fail because the server did not answer
    } finally {
      clearTimeout(timer);
    }
  }

  private eventTypes(pos: vscode.Position, typed: string): vscode.CompletionItem[] {
    const registry = this.services.registry;
    const range = new vscode.Range(pos.line, pos.character - typed.length, pos.line, pos.character);
    return registry.eventTypes().map((t) => {
      const latest = registry.latest(t);
      const item = new vscode.CompletionItem(t, vscode.CompletionItemKind.EnumMember);
      item.range = range;
      item.detail = `v${latest?.version ?? '1.0'}${latest?.description ? ` — ${latest.description}` : ''}`;
      const template = registry.template(t);
      if (template) item.documentation = new vscode.MarkdownString().appendCodeblock(JSON.stringify(template, null, 2), 'json');
      return item;
    });
  }

  private templates(): vscode.CompletionItem[] {
    const registry = this.services.registry;
    return registry.eventTypes().map((t) => {
      const template = registry.template(t) ?? { event_type: t, version: '1.0', data: {} };
      const body = { event_type: t, version: template.version, entity_id: '{{uuid}}', data: template.data };
      const text = escapeSnippet(JSON.stringify(body, null, 2)).replace('"{{uuid\\}\\}"', '"${1:{{uuid\\}\\}}"');
      const item = new vscode.CompletionItem(`${t} event`, vscode.CompletionItemKind.Snippet);
      item.insertText = new vscode.SnippetString(text);
      item.detail = `a ${t} ${String(template.version)} event from the registry`;
      item.documentation = new vscode.MarkdownString().appendCodeblock(JSON.stringify(body, null, 2), 'json');
      return item;
    });
  }

  private inEmptyBlock(doc: vscode.TextDocument, line: number): boolean {
    // Bounded look around: an empty block is short by definition.
    for (let l = line - 1; l >= Math.max(0, line - 50); l--) {
      const t = doc.lineAt(l).text;
      if (t.startsWith('###')) break;
      if (t.trim()) return false;
      if (l === 0) break;
    }
    for (let l = line + 1; l < Math.min(doc.lineCount, line + 50); l++) {
      const t = doc.lineAt(l).text;
      if (t.startsWith('###')) break;
      if (t.trim()) return false;
    }
    return true;
  }
}

function placeholders(pos: vscode.Position, typed: string, after: string): vscode.CompletionItem[] {
  // Auto-closing may already have put `}` or `}}` after the cursor: complete up to them, not past them.
  const closing = after.startsWith('}}') ? '' : after.startsWith('}') ? '}' : '}}';
  const range = new vscode.Range(pos.line, pos.character - typed.length, pos.line, pos.character);
  return PLACEHOLDERS.map((p) => {
    const item = new vscode.CompletionItem(`{{${p.name}}}`, vscode.CompletionItemKind.Variable);
    item.filterText = p.name;
    item.range = range;
    item.detail = p.usage;
    item.documentation = new vscode.MarkdownString(`${p.detail}.\n\nExpanded when the event is sent; as a bare value it becomes a JSON ${p.kind}.`);
    const args = p.name === 'randomInt' ? ':${1:1}:${2:100}' : p.name === 'randomFloat' ? ':${1:0}:${2:100}' : '';
    item.insertText = new vscode.SnippetString(`${p.name}${args}${closing.replace(/}/g, '\\}')}`);
    return item;
  });
}

/** Literal text for a snippet: backslash, `$` and `}` escaped. */
function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}
