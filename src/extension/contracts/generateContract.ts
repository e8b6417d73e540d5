// "UCore: Generate Contract from Traffic": pick channels (names or globs) and streams of the active connection, sample
// them for a time or a count (progress, cancellable: what was sampled so far is used), and open the inferred AsyncAPI
// 3.0 document, saved where the user says (asyncapi.yaml in the workspace root when there is none) or unsaved.
import * as vscode from 'vscode';
import { BadInputError, contractToYaml, inferContractFromTraffic, type InferredContract, type InferSource } from '../../core/index';
import { plural, shorten } from '../format';
import { showInfo } from '../notify';
import { listStreams, nonEmpty, required } from '../commands/pickers';
import type { CommandContext } from '../commands/context';
import type { ActiveConnection } from '../services';

/** Scripted form (tests, scripts): no quick pick is shown. */
export interface GenerateContractArgs {
  sources: InferSource[];
  seconds?: number;
  count?: number;
  /** 'untitled' opens it unsaved; a path (absolute, or relative to the workspace folder) saves it there. */
  save?: string;
}

export interface GeneratedContract {
  readonly uri: vscode.Uri;
  readonly text: string;
  readonly sampled: number;
  readonly notes: readonly string[];
}

const DEFAULT_FILE = 'asyncapi.yaml';

export async function generateContract(ctx: CommandContext, args?: GenerateContractArgs): Promise<GeneratedContract | undefined> {
  const conn = await ctx.services.requireConnection();
  const sources = args?.sources ?? await pickSources(ctx, conn);
  if (!sources.length) throw new BadInputError('pick at least one channel or stream to sample');
  const budget = args ? { seconds: args.seconds, count: args.count } : await pickBudget();
  const what = sources.map((s) => shorten(s.address, 40)).join(', ');
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Sampling ${shorten(what, 120)}`, cancellable: true },
    async (progress, token): Promise<InferredContract> => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      const started = Date.now();
      try {
        return await inferContractFromTraffic(conn.transport, sources, {
          ...budget, signal: ac.signal, title: `Inferred from ${conn.name}`,
          onProgress: (n) => progress.report({ message: `${plural(n, 'event')} · ${Math.round((Date.now() - started) / 1000)} s${budget.count ? ` of up to ${plural(budget.count, 'event')}` : ''} (cancel to stop and use what was sampled)` }),
        });
      } finally {
        sub.dispose();
      }
    },
  );
  const text = await contractToYaml(result.document);
  for (const n of result.notes) ctx.services.log.info(`[contracts] generate: ${n}`);
  const uri = await placeDocument(text, args?.save);
  if (!uri) return undefined;
  // A saved contract is in effect when the command returns: read now rather than when the file watcher reports the
  // new file (seconds later on a busy machine, and a new folder's file may not be reported at all).
  if (uri.scheme !== 'untitled') await ctx.services.contracts.reload();
  const doc = uri.scheme === 'untitled'
    ? await vscode.workspace.openTextDocument({ language: 'yaml', content: text })
    : await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  void showInfo(`Contract inferred from ${plural(result.sampled, 'event')} on ${shorten(what, 120)}.${result.notes.length ? ` ${plural(result.notes.length, 'note')} in the log.` : ''} Review it: required properties, enums and formats are what the samples had in common.`);
  return { uri: doc.uri, text, sampled: result.sampled, notes: result.notes };
}

async function pickSources(ctx: CommandContext, conn: ActiveConnection): Promise<InferSource[]> {
  type Item = vscode.QuickPickItem & { source?: InferSource; other?: 'pubsub' | 'stream' };
  const channels = new Set<string>();
  const shards = new Set<string>();
  for (const n of ctx.explorer.channels.current) if (n.kind === 'channel') (n.sharded ? shards : channels).add(n.channel);
  const streams = await listStreams(conn, 200).catch(() => []);
  const items: Item[] = [
    { label: 'Channels', kind: vscode.QuickPickItemKind.Separator },
    ...[...channels].sort().map((c): Item => ({ label: `$(radio-tower) ${shorten(c)}`, description: 'channel', source: { kind: 'pubsub', address: c } })),
    ...[...shards].sort().map((c): Item => ({ label: `$(radio-tower) ${shorten(c)}`, description: 'shard channel', source: { kind: 'shard', address: c } })),
    { label: '$(edit) Other channel or glob…', description: 'e.g. orders.*', other: 'pubsub', alwaysShow: true },
    { label: 'Streams', kind: vscode.QuickPickItemKind.Separator },
    ...streams.map((s): Item => ({ label: `$(list-flat) ${shorten(s)}`, description: 'stream: newest entries + live', source: { kind: 'stream', address: s } })),
    { label: '$(edit) Other stream or glob…', other: 'stream', alwaysShow: true },
  ];
  const picked = required(await vscode.window.showQuickPick(items, {
    title: 'Generate Contract from Traffic (1/2): channels and streams to sample', canPickMany: true, ignoreFocusOut: true, matchOnDescription: true,
  }));
  const sources = picked.filter((p) => p.source).map((p) => p.source!);
  for (const p of picked.filter((x) => x.other)) {
    const name = required(await vscode.window.showInputBox({ prompt: p.other === 'stream' ? 'Stream key (or a glob: every matching stream)' : 'Channel name (or a glob: PSUBSCRIBE)', ignoreFocusOut: true, validateInput: nonEmpty })).trim();
    sources.push({ kind: p.other!, address: name });
  }
  return sources;
}

async function pickBudget(): Promise<{ seconds?: number; count?: number }> {
  const items: Array<vscode.QuickPickItem & { seconds?: number; count?: number }> = [
    { label: '10 seconds', seconds: 10 },
    { label: '30 seconds', seconds: 30 },
    { label: '60 seconds', seconds: 60 },
    { label: '100 events', description: 'or until cancelled', count: 100 },
    { label: '1,000 events', description: 'or until cancelled', count: 1000 },
  ];
  const pick = required(await vscode.window.showQuickPick(items, { title: 'Generate Contract from Traffic (2/2): how long to sample', placeHolder: "Streams' newest entries count too", ignoreFocusOut: true }));
  return { seconds: pick.seconds, count: pick.count };
}

/** Where the document goes: a file written now, or an untitled editor (undefined: the user cancelled). */
async function placeDocument(text: string, save?: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const untitled = vscode.Uri.from({ scheme: 'untitled', path: DEFAULT_FILE });
  if (save === 'untitled') return untitled;
  let target: vscode.Uri | undefined;
  if (save) {
    target = /^([a-z]:)?[\\/]/i.test(save) || !folder ? vscode.Uri.file(save) : vscode.Uri.joinPath(folder.uri, save);
  } else {
    const preferred = folder && vscode.Uri.joinPath(folder.uri, DEFAULT_FILE);
    const free = preferred && !(await exists(preferred));
    type Item = vscode.QuickPickItem & { id: 'default' | 'choose' | 'untitled' };
    const items: Item[] = [
      ...(free ? [{ label: `$(save) Save as ${DEFAULT_FILE} in the workspace folder`, description: 'checked from then on (ucore.contracts.files)', id: 'default' as const }] : []),
      { label: '$(folder-opened) Save as…', description: free ? undefined : `${DEFAULT_FILE} exists already`, id: 'choose' },
      { label: '$(file) Open unsaved', id: 'untitled' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Where should the contract go?', ignoreFocusOut: true });
    if (!pick) return undefined;
    if (pick.id === 'untitled') return untitled;
    target = pick.id === 'default' ? preferred : await vscode.window.showSaveDialog({
      defaultUri: folder && vscode.Uri.joinPath(folder.uri, free ? DEFAULT_FILE : 'asyncapi.inferred.yaml'), filters: { 'AsyncAPI (YAML)': ['yaml', 'yml'] },
    });
    if (!target) return undefined;
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  return target;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; }
}
