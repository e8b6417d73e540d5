// Outline (document symbols) and folding for `.events` files: one entry per event, named by its event_type.
import * as vscode from 'vscode';
import { shorten } from '../format';
import type { EventsDocuments } from './documents';
import { type EventBlock, TARGET_NOUN, targetOf } from '../../core/index';

const MAX_SYMBOLS = 5_000;

export class EventsOutlineProvider implements vscode.DocumentSymbolProvider, vscode.FoldingRangeProvider {
  constructor(private readonly documents: EventsDocuments) {}

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    return this.documents.get(doc).blocks.slice(0, MAX_SYMBOLS).map((b) => {
      const range = doc.validateRange(new vscode.Range(b.startLine, 0, b.endLine, Number.MAX_SAFE_INTEGER));
      const selection = doc.validateRange(new vscode.Range(b.startLine, 0, b.startLine, Number.MAX_SAFE_INTEGER));
      const target = targetOf(b);
      const detail = [b.title, target ? `${TARGET_NOUN[target.kind]} ${target.name}` : undefined].filter(Boolean).join(' · ');
      return new vscode.DocumentSymbol(shorten(nameOf(b), 100), shorten(detail, 100), vscode.SymbolKind.Event, range, selection);
    });
  }

  provideFoldingRanges(doc: vscode.TextDocument): vscode.FoldingRange[] {
    return this.documents.get(doc).blocks
      .filter((b) => b.endLine > b.startLine)
      .slice(0, MAX_SYMBOLS)
      .map((b) => new vscode.FoldingRange(b.startLine, b.endLine, vscode.FoldingRangeKind.Region));
  }
}

function nameOf(b: EventBlock): string {
  const json = b.json as { event_type?: unknown } | undefined;
  if (json && typeof json === 'object' && typeof json.event_type === 'string' && json.event_type) return json.event_type;
  if (b.jsonError) return `event ${b.index + 1} (invalid JSON)`;
  return `event ${b.index + 1}`;
}
