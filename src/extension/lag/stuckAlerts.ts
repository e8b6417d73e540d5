// What a stuck-consumer episode shows: one notification when it starts (with "Claim Pending for…"), an alert in the
// live monitor (firing until the episode ends, then resolved), and the Streams view redrawn so the consumer row is
// marked. Once per episode: the next notification for the same consumer needs it to recover first.
import { type StuckConsumer } from '../../core/index';
import * as vscode from 'vscode';
import { clip, MAX_NAME_CHARS } from '../../shared/monitorLimits';
import type { AlertEventRow } from '../../shared/monitorProtocol';
import { Commands } from '../constants';
import { formatDuration, shorten } from '../format';
import { showWarning } from '../notify';
import type { LagWatch } from './lagWatch';

export const STUCK_RULE_ID = 'stuck consumer';
export const CLAIM_ACTION = 'Claim Pending for…';

export const stuckAlertKey = (s: Pick<StuckConsumer, 'stream' | 'group' | 'consumer'>) => clip(`${s.stream} › ${s.group} › ${s.consumer}`, MAX_NAME_CHARS);

export function stuckAlert(s: StuckConsumer, stuckAfterMs: number, state: AlertEventRow['state'], at = Date.now()): AlertEventRow {
  return { ruleId: STUCK_RULE_ID, scope: 'stuck', key: stuckAlertKey(s), value: Math.round(s.oldestPendingMs / 1000), threshold: Math.round(stuckAfterMs / 1000), at, state };
}

export function stuckMessage(s: StuckConsumer): string {
  return `Consumer ${shorten(s.consumer, 80)} of group ${shorten(s.group, 80)} on ${shorten(s.stream, 80)} is stuck: ${s.pending} pending, the oldest idle ${formatDuration(s.oldestPendingMs)}, while ${shorten(s.healthy, 80)} keeps reading.`;
}

export function wireStuckAlerts(lag: LagWatch, sinks: { alert(a: AlertEventRow): void; refreshTree(): void }): vscode.Disposable {
  return lag.onDidChangeStuck(({ started, ended }) => {
    for (const s of ended) sinks.alert(stuckAlert(s, lag.stuckAfterMs, 'resolved'));
    for (const s of started) sinks.alert(stuckAlert(s, lag.stuckAfterMs, 'firing'));
    // One notification per round however many started: one consumer is named, several are counted (the command
    // then offers the list).
    if (started.length) {
      const one = started.length === 1 ? started[0] : undefined;
      const text = one ? stuckMessage(one) : `${started.length} consumers are stuck: ${started.slice(0, 3).map((s) => `${shorten(s.consumer, 40)} (${shorten(s.group, 40)})`).join(', ')}${started.length > 3 ? ', …' : ''}.`;
      void showWarning(text, CLAIM_ACTION).then((choice) => {
        if (choice === CLAIM_ACTION) void vscode.commands.executeCommand(Commands.consumerClaimPending, one && { stream: one.stream, group: one.group, consumer: one.consumer });
      });
    }
    sinks.refreshTree();
  });
}
