// "UCore: Show Contract Drift": watches a workspace contract's channels and streams for a while, then opens a
// Markdown document listing where the running system and the contract have grown apart (contractDrift in the core),
// grouped by kind, each with the place in the contract file it concerns.
import * as vscode from 'vscode';
import { contractDrift, BadInputError, DEFAULT_DRIFT_SECONDS, type Contract, type DriftFinding, type DriftKind, type DriftReport } from '../../core/index';
import { plural, shorten } from '../format';
import { required } from '../commands/pickers';
import type { CommandContext } from '../commands/context';

/** Scripted form (tests): which contract (its workspace-relative file) and how long; nothing is asked. */
export interface ShowDriftArgs { file?: string; seconds?: number; history?: boolean }

const HEADINGS: Readonly<Record<DriftKind, string>> = {
  unknown_event_type: 'Event types sent but not in the contract',
  unknown_property: 'Properties sent but not in the contract',
  no_traffic: 'Contract channels without traffic',
  no_subscribers: 'Contract channels without subscribers',
  missing_stream: 'Streams that do not exist',
  missing_group: 'Consumer groups the contract expects but the stream lacks',
};

export async function showContractDrift(ctx: CommandContext, args?: ShowDriftArgs): Promise<{ report: DriftReport; text: string } | undefined> {
  const conn = await ctx.services.requireConnection();
  const set = await ctx.services.contracts.current();
  const contracts = (set?.contracts ?? []).filter((c) => c.channels.length > 0);
  if (!contracts.length) throw new BadInputError('no contract with channels in the workspace (setting ucore.contracts.files); "UCore: Generate Contract from Traffic" writes one');
  let contract: Contract;
  if (args?.file) contract = required(contracts.find((c) => c.file === args.file));
  else if (contracts.length === 1) contract = contracts[0]!;
  else contract = required(await vscode.window.showQuickPick(contracts.map((c) => ({ label: c.title, description: c.file, contract: c })), { title: 'Show Contract Drift: which contract', ignoreFocusOut: true })).contract;
  const seconds = args?.seconds ?? DEFAULT_DRIFT_SECONDS;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Watching the channels of ${shorten(contract.file, 60)} for ${seconds} s`, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        return await contractDrift(conn.transport, contract, { seconds, history: args?.history ?? true, signal: ac.signal, onProgress: (n) => progress.report({ message: `${plural(n, 'event')} seen (cancel to stop early)` }) });
      } finally {
        sub.dispose();
      }
    },
  );
  const text = driftMarkdown(contract, report, conn.name);
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
  await vscode.window.showTextDocument(doc, { preview: false });
  return { report, text };
}

/** Text from other apps (names, types) shown as code, never as Markdown. */
const code = (s: string) => `\`${shorten(s, 120).replace(/`/g, "'").replace(/[\r\n]/g, ' ')}\``;

export function driftMarkdown(contract: Contract, report: DriftReport, connection: string): string {
  const lines = [
    `# Contract drift: ${code(contract.title)}`,
    '',
    `${code(contract.file)} against ${code(connection)}: ${plural(report.observed, 'event')} seen on its channels and streams in ${report.seconds} s (plus the newest stream entries).`,
    '',
  ];
  if (!report.findings.length) lines.push('No drift: every event type and property seen is in the contract, every channel had traffic and subscribers, every stream its consumer groups.');
  const byKind = new Map<DriftKind, DriftFinding[]>();
  for (const f of report.findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  for (const [kind, list] of byKind) {
    lines.push(`## ${HEADINGS[kind]} (${list.length})`, '');
    for (const f of list) {
      const what = f.property !== undefined ? `${code(f.property)} in ${code(f.eventType ?? '')} on ${code(f.channel)}` : f.eventType !== undefined ? `${code(f.eventType || '(no event_type)')} on ${code(f.channel)}` : code(f.channel);
      lines.push(`- ${what}: ${shorten(f.message, 300).replace(/[\r\n]/g, ' ')}${f.count !== undefined ? ` — ${plural(f.count, 'event')}` : ''} (${f.schema.file}:${f.schema.line})`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
