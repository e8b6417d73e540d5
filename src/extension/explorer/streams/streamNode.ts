// A stream in the Streams view (its length and last entry time); beneath it its Entries folder and consumer groups.
import { DEAD_LETTER_STREAM } from '../../../core/index';
import * as vscode from 'vscode';
import { ItemContext } from '../../constants';
import { ago, idTimeMs, plural, shorten, tooltipValue } from '../../format';
import { ExplorerNode } from '../node';
import { violationBadge, type TargetViolations } from '../violationBadge';
import type { StreamsContext } from './context';
import { EntriesNode } from './entriesNode';
import { GroupNode, groupLag } from './groupNode';
import type { StreamsTreeNode } from './index';

export class StreamNode extends ExplorerNode<StreamsContext, StreamsTreeNode> {
  readonly kind = 'stream' as const;
  /** What the live contract check found in this stream's new entries (undefined: not checked, or nothing yet). */
  violations: TargetViolations | undefined;

  constructor(readonly id: string, readonly key: string, readonly length: number, readonly lastEntryId: string | null, readonly groups: number) {
    super();
  }

  get contextValue(): string {
    return this.key === DEAD_LETTER_STREAM ? ItemContext.deadLetterStream : ItemContext.stream;
  }

  override async getChildren({ transport, seeks, lag }: StreamsContext): Promise<StreamsTreeNode[]> {
    const groups = await transport.xinfoGroups(this.key);
    if (groups.length) lag?.watch(this.key);
    const entries = new EntriesNode(`${this.id}/entries`, this.key, this.length);
    const seek = seeks.get(entries.id);
    if (seek) entries.seekLabel = seekLabel(seek);
    return [entries, ...groups.map((g) => new GroupNode(`${this.id}/g/${g.name}`, this.key, g, lag && groupLag(lag, this.key, g.name)))];
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(shorten(this.key), vscode.TreeItemCollapsibleState.Collapsed);
    const last = this.lastEntryId ? idTimeMs(this.lastEntryId) : null;
    item.description = `${plural(this.length, 'entry', 'entries')}${last ? ` · last ${ago(last)}` : ''}`;
    item.tooltip = [tooltipValue(this.key) ?? shorten(this.key), `${this.length} entries, ${plural(this.groups, 'group')}`,
      ...(this.lastEntryId ? [`last entry ${this.lastEntryId}`] : [])].join('\n');
    item.iconPath = new vscode.ThemeIcon(this.key === DEAD_LETTER_STREAM ? 'warning' : 'list-ordered');
    return violationBadge(item, this.violations);
  }
}

function seekLabel(seek: { at: string } | { after: string } | { before: string }): string {
  const v = 'at' in seek ? seek.at : 'after' in seek ? seek.after : seek.before;
  const ms = 'at' in seek ? Date.parse(v) : idTimeMs(v);
  return ms !== null && Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : v;
}
