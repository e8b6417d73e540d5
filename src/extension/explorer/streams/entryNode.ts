// One stream entry, labelled with its time; the id ends the description and heads the tooltip. Clicking inspects it.
import { DEAD_LETTER_STREAM, type StreamEntry } from '../../../core/index';
import * as vscode from 'vscode';
import { Commands, ItemContext } from '../../constants';
import { shorten, tooltipValue } from '../../format';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';
import { entrySummary, entryText, entryTimeLabel, idTooltip } from './entryFormat';

export class EntryNode extends ExplorerNode<StreamsContext, never> {
  readonly kind = 'entry' as const;

  constructor(readonly id: string, readonly key: string, readonly entry: StreamEntry) {
    super();
  }

  get contextValue(): string {
    return this.key === DEAD_LETTER_STREAM ? ItemContext.deadLetterEntry : ItemContext.entry;
  }

  protected createItem(): vscode.TreeItem {
    return entryTreeItem(this.key, this.entry, this);
  }
}

/** A stream entry's row (here and in the Search Results view): its time, summary and id; clicking inspects `arg`. */
export function entryTreeItem(stream: string, entry: StreamEntry, arg: unknown): vscode.TreeItem {
  const item = new vscode.TreeItem(entryTimeLabel(entry.id), vscode.TreeItemCollapsibleState.None);
  item.description = `${shorten(entrySummary(stream, entry), 120)} · ${entry.id}`;
  const text = entryText(entry);
  item.tooltip = `${idTooltip(entry.id)}\n${tooltipValue(text) ?? `${shorten(text, 500)}\n(truncated; use Inspect Event)`}`;
  item.iconPath = new vscode.ThemeIcon('symbol-event');
  item.command = { command: Commands.eventInspect, title: 'Inspect Event', arguments: [arg] };
  return item;
}
