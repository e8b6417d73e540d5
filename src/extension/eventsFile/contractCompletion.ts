// Completion from the workspace contract in a `.events` block: at a property name, the properties the schema declares
// for the object the cursor is in (required first); at a value, the schema's `const`/`enum` values; at the root
// `event_type`, the channel's message types. The schema is the message of the block's channel/stream and event_type.
import * as vscode from 'vscode';
import {
  blockAtLine, defsOf, jsonCursorAt, propertiesOf, schemasAt, targetOf, valuesOf,
  type ContractMessage, type ContractSet, type ParsedEventsFile,
} from '../../core/index';

const MAX_BODY_CHARS = 100_000;

export function contractCompletions(set: ContractSet | undefined, parsed: ParsedEventsFile, doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] | undefined {
  if (!set) return undefined;
  const block = blockAtLine(parsed, pos.line);
  const target = block && targetOf(block);
  if (!block || !target || pos.line < block.bodyStartLine) return undefined;
  const channel = set.channelsFor(target)[0]?.channel;
  if (!channel) return undefined;
  const body = doc.getText(new vscode.Range(block.bodyStartLine, 0, pos.line, pos.character));
  if (body.length > MAX_BODY_CHARS) return undefined;
  const cursor = jsonCursorAt(body);
  if (!cursor) return undefined;
  const range = new vscode.Range(pos.line, pos.character - (cursor.partial?.length ?? 0), pos.line, pos.character);
  const inString = cursor.partial !== undefined;
  if (cursor.position === 'value' && cursor.path.length === 0 && cursor.key === 'event_type') {
    return [...new Set(channel.messages.map((m) => m.eventType))].map((t, k) =>
      valueItem(t, k, range, inString, `event type in the contract for ${channel.address}`));
  }
  const message = messageOf(channel.messages, eventTypeOf(block.json, block.bodyText));
  if (!message?.payload) return undefined;
  if (cursor.position === 'key') {
    const present = new Set([...keysAt(block.json, cursor.path), ...cursor.written]);
    return propertiesOf(schemasAt(message.payload, cursor.path), defsOf(message.payload))
      .filter((p) => !present.has(p.name))
      .map((p, k) => {
        const item = new vscode.CompletionItem(p.name, vscode.CompletionItemKind.Property);
        item.range = range;
        item.insertText = inString ? p.name : new vscode.SnippetString(`${JSON.stringify(p.name).replace(/[\\$}]/g, '\\$&')}: $0`);
        item.detail = `${p.required ? 'required' : 'optional'}${p.type ? ` · ${p.type}` : ''} — contract ${message.eventType}`;
        if (p.description) item.documentation = p.description;
        item.sortText = `0${String(k).padStart(4, '0')}`;
        return item;
      });
  }
  const path = cursor.key !== undefined ? [...cursor.path, cursor.key] : cursor.path;
  const values = valuesOf(schemasAt(message.payload, path)).filter((v) => !inString || typeof v === 'string');
  return values.map((v, k) => valueItem(v, k, range, inString, `allowed by the contract (${message.eventType})`));
}

function valueItem(value: unknown, index: number, range: vscode.Range, inString: boolean, detail: string): vscode.CompletionItem {
  const json = JSON.stringify(value) ?? 'null';
  const item = new vscode.CompletionItem(typeof value === 'string' ? value : json, vscode.CompletionItemKind.EnumMember);
  item.range = range;
  item.insertText = inString && typeof value === 'string' ? json.slice(1, -1) : json;
  item.detail = detail;
  // In the order the schema writes them, ahead of everything else offered there.
  item.sortText = `0${String(index).padStart(4, '0')}`;
  return item;
}

function eventTypeOf(json: unknown, bodyText: string): string {
  if (json && typeof json === 'object' && typeof (json as { event_type?: unknown }).event_type === 'string') return (json as { event_type: string }).event_type;
  return /"event_type"\s*:\s*"([^"\\]{1,200})"/.exec(bodyText.slice(0, MAX_BODY_CHARS))?.[1] ?? '';
}

function messageOf(messages: readonly ContractMessage[], eventType: string): ContractMessage | undefined {
  return messages.find((m) => m.eventType === eventType) ?? (messages.length === 1 ? messages[0] : undefined);
}

/** The keys the block's event already has at `path` (when it parses), so they are not offered again. */
function keysAt(json: unknown, path: ReadonlyArray<string | number>): Set<string> {
  let node = json;
  for (const seg of path) node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
  return new Set(node && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node) : []);
}
