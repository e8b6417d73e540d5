// Commands on channels (tail, filter, show in monitor) and the view-wide ones (refresh, monitor, log, about).
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { ECOMMERCE_CHANNEL, USER_CHANNEL } from '../../core/index';
import { Commands, ContextKeys } from '../constants';
import { shorten } from '../format';
import type { CommandContext } from './context';
import { isChannelNode } from './publishCommands';
import { nonEmpty, required } from './pickers';
import type { Registrar } from './registrar';

async function pickChannel(ctx: CommandContext, placeHolder: string, options: { shard?: boolean } = {}): Promise<{ channel: string; sharded: boolean }> {
  const known = new Set<string>();
  const shard = new Set<string>();
  for (const n of ctx.explorer.channels.current) if (n.kind === 'channel') (n.sharded ? shard : known).add(n.channel);
  for (const c of [ECOMMERCE_CHANNEL, USER_CHANNEL, 'events', 'saga_events']) known.add(c);
  const other = '$(edit) Other channel…';
  const labels = [...known].map((c) => ({ label: shorten(c), channel: c, sharded: false }));
  const shardLabels = options.shard ? [...shard].map((c) => ({ label: `$(broadcast) ${shorten(c)}`, description: 'shard channel', channel: c, sharded: true })) : [];
  const pick = required(await vscode.window.showQuickPick([...labels, ...shardLabels, { label: other, channel: '', sharded: false }], { placeHolder, ignoreFocusOut: true }));
  if (pick.channel) return { channel: pick.channel, sharded: pick.sharded };
  return { channel: required(await vscode.window.showInputBox({ prompt: 'Channel name', ignoreFocusOut: true, validateInput: nonEmpty })).trim(), sharded: false };
}

export function registerChannelCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.channelTail, 'Tail Channel', async (arg?: unknown) => {
    const conn = await ctx.services.requireConnection();
    const { channel, sharded } = isChannelNode(arg) ? { channel: arg.channel, sharded: arg.sharded === true }
      : typeof arg === 'string' ? { channel: arg, sharded: false } : await pickChannel(ctx, 'Channel to tail', { shard: true });
    const doc = await ctx.tail.start(conn, channel, { sharded });
    return doc.uri.toString();
  });

  r.register(Commands.channelSetFilter, 'Set Channel Filter', async (arg?: unknown) => {
    const pattern = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
      prompt: 'Show only channels matching this pattern (Redis glob: * ? [abc]); empty shows all',
      value: ctx.explorer.channels.filter ?? '',
      ignoreFocusOut: true,
    });
    if (pattern === undefined) return undefined;
    ctx.explorer.channels.setFilter(pattern);
    return ctx.explorer.channels.filter;
  });

  r.register(Commands.channelClearFilter, 'Clear Channel Filter', async () => {
    ctx.explorer.channels.setFilter(undefined);
  });

  r.register(Commands.channelShowInMonitor, 'Show in Monitor', async (arg?: unknown) => {
    const channel = isChannelNode(arg) ? arg.channel : typeof arg === 'string' ? arg : (await pickChannel(ctx, 'Channel to show')).channel;
    ctx.monitorPanel.createOrShow(channel);
  });

  r.register(Commands.monitorOpen, 'Open Live Monitor', async () => {
    ctx.monitorPanel.createOrShow(null);
  });

  r.register(Commands.monitorClearViolations, 'Clear Contract Violations', async () => {
    ctx.liveContracts.clear();
  });

  r.register(Commands.explorerRefresh, 'Refresh', async () => {
    ctx.explorer.connections.refresh();
    ctx.explorer.channels.refresh();
    ctx.explorer.streams.reload();
  });

  r.register(Commands.logShow, 'Show Log', async () => {
    ctx.services.log.show(false);
  });

  r.register(Commands.aboutShow, 'Show Version', async () => {
    const version = String(ctx.extension.extension.packageJSON.version ?? '');
    void showInfo(`UCore Events ${version}`);
    return version;
  });

  // The filter shows in the view's description; the context key offers "Clear Channel Filter" only when set.
  ctx.extension.subscriptions.push(ctx.explorer.channels.onDidChangeFilter((f) => {
    void vscode.commands.executeCommand('setContext', ContextKeys.channelFilter, !!f);
  }));
}
