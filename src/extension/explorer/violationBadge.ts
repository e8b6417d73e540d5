// The mark a channel or stream row gets when the live contract check found events there that break a contract: a
// warning icon, the count in the description and the last violation in the tooltip (counted by LiveContracts).
import * as vscode from 'vscode';
import type { TargetKind, Violation } from '../../core/index';
import { plural, shorten } from '../format';

/** What a row shows of its channel or stream. */
export interface TargetViolations {
  readonly checked: number;
  readonly violating: number;
  /** The newest violation kept on it. */
  readonly last?: Violation;
}

/** What the trees need: counts per channel/stream and a signal when the violating ones change. */
export interface ViolationBadges {
  forTarget(kind: TargetKind, name: string): TargetViolations | undefined;
  readonly onDidChange: vscode.Event<void>;
}

export function violationBadge(item: vscode.TreeItem, v: TargetViolations | undefined): vscode.TreeItem {
  if (!v || v.violating === 0) return item;
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  const badge = `⚠ ${v.violating} violating`;
  item.description = item.description ? `${badge} · ${String(item.description)}` : badge;
  const last = v.last ? `\nLast: ${shorten(v.last.eventType || '(no type)', 80)}${v.last.eventId ? ` ${shorten(v.last.eventId, 60)}` : ''} at ${shorten(v.last.pointer || '(the event)', 80)}: ${shorten(v.last.message, 160)}` : '';
  const rule = v.last?.schema ? ` (${shorten(v.last.schema.file, 80)}:${v.last.schema.line})` : '';
  item.tooltip = `${typeof item.tooltip === 'string' ? item.tooltip : ''}\n\nContract: ${plural(v.violating, 'event')} of ${v.checked} checked broke it${last}${rule}\nThe monitor panel lists them; the Problems panel shows the rules.`;
  return item;
}
