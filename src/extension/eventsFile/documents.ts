// One parse per document version, shared by diagnostics, CodeLens, completion, outline and the publish commands.
import type * as vscode from 'vscode';
import { parseEventsFile, type ParsedEventsFile } from '../../core/index';

export const LANGUAGE_ID = 'ucore-events';

/** How many documents keep their parse (the open ones; a closed document is forgotten). */
const CAPACITY = 32;

export class EventsDocuments {
  private readonly cache = new Map<string, { version: number; parsed: ParsedEventsFile }>();

  get(doc: vscode.TextDocument): ParsedEventsFile {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.parsed;
    const parsed = parseEventsFile(doc.getText());
    this.cache.delete(key);
    this.cache.set(key, { version: doc.version, parsed });
    if (this.cache.size > CAPACITY) this.cache.delete(this.cache.keys().next().value as string);
    return parsed;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}

export function isEventsDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === LANGUAGE_ID;
}
