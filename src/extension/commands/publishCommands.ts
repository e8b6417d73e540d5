// "Publish Event": pick a channel or stream, an event type from the registry, edit the prefilled JSON (validated as
// you type: JSON, envelope, schema), then send it.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { createEvent, parseEvent, parseJson, type EventEnvelope } from '../../core/envelope/envelope';
import type { SchemaRegistry } from '../../core/envelope/registry';
import { BadInputError, InvalidEventError } from '../../core/errors';
import { describeIssues } from '../../core/envelope/issues';
import { Commands } from '../constants';
import type { ChannelNode } from '../explorer/channelsTree';
import type { StreamNode } from '../explorer/streamsTree';
import { shorten } from '../format';
import type { ActiveConnection, PublishResult } from '../services';
import type { CommandContext } from './context';
import { pickTarget, required, type Target } from './pickers';
import type { Registrar } from './registrar';

/** Scripted form: `executeCommand('ucore.event.publish', { channel: 'x', event: {...} })` asks nothing. */
export interface PublishArgs {
  channel?: string;
  /** A shard channel (SPUBLISH). */
  shardChannel?: string;
  stream?: string;
  event?: unknown;
}

/** Why `text` cannot be published, or undefined when it can. */
export function validateEventText(text: string, registry: SchemaRegistry): string | undefined {
  const j = parseJson(text);
  if (!j.ok) return `Invalid JSON: ${j.error.message.replace(/^not JSON: /, '')}`;
  const e = parseEvent(j.value);
  if (!e.ok) return `Envelope: ${e.error instanceof InvalidEventError && e.error.issues.length ? describeIssues(e.error.issues) : e.error.message}`;
  const v = registry.validate(e.event);
  if (!v.ok) return `Schema of ${e.event.event_type} ${e.event.version}: ${describeIssues(v.issues)}`;
  return undefined;
}

/** A fresh event of `type` prefilled from the registry's template (or an empty one). */
export function templateEvent(registry: SchemaRegistry, type: string | undefined): EventEnvelope {
  if (!type) return createEvent({ event_type: 'my_event', data: {} });
  const t = registry.template(type);
  const data = (t?.data ?? {}) as Record<string, unknown>;
  const version = typeof t?.version === 'string' ? t.version : '1.0';
  const orderId = (data as { order_id?: unknown }).order_id;
  return createEvent({ event_type: type, version, data, entity_id: orderId !== undefined ? `order_${String(orderId)}` : undefined });
}

function describeResult(r: PublishResult, type: string, sharded: boolean): string {
  if (r.kind === 'channel' && sharded) {
    return `Published ${type} to shard channel ${shorten(r.target, 80)} (${r.receivers ?? 0} ${r.receivers === 1 ? 'receiver' : 'receivers'}).`;
  }
  return r.kind === 'channel'
    ? `Published ${type} to channel ${shorten(r.target, 80)} (${r.receivers ?? 0} ${r.receivers === 1 ? 'receiver' : 'receivers'} besides the UCore monitor).`
    : `Appended ${type} to stream ${shorten(r.target, 80)} as ${r.id}.`;
}

async function askEvent(ctx: CommandContext, target: Target): Promise<EventEnvelope> {
  const { registry } = ctx.services;
  const types = registry.eventTypes();
  const empty = { label: '$(file) Empty event', description: 'only the envelope', type: undefined as string | undefined };
  const items = [...types.map((t) => ({ label: t, description: `v${registry.latest(t)?.version ?? '1.0'}`, type: t as string | undefined })), empty];
  const pick = required(await vscode.window.showQuickPick(items, { placeHolder: `Event type to ${target.kind === 'channel' ? 'publish to' : 'append to'} ${shorten(target.name, 80)}`, ignoreFocusOut: true }));
  const initial = JSON.stringify(templateEvent(registry, pick.type));
  const text = required(await vscode.window.showInputBox({
    title: `${target.kind === 'channel' ? (target.sharded ? 'Publish to shard channel' : 'Publish to channel') : 'Append to stream'} ${shorten(target.name, 80)}`,
    prompt: 'The event as JSON (one line). Checked against the envelope and the registered schema.',
    value: initial,
    ignoreFocusOut: true,
    validateInput: (v) => validateEventText(v, registry),
  }));
  const parsed = parseEvent(text);
  if (!parsed.ok) throw parsed.error;
  return parsed.event;
}

/**
 * SPUBLISH. Its count includes UCore's own connection when it holds the shard channel (a tail, or the monitor that
 * follows shard channels on a cluster): unlike the monitor's pattern subscription, that cannot be told apart.
 */
async function publishToShardChannel(ctx: CommandContext, conn: ActiveConnection, channel: string, event: EventEnvelope): Promise<PublishResult> {
  const receivers = await conn.adapter.spublishJson(channel, event, { timeoutMs: ctx.services.settings.get('commandTimeoutMs') });
  ctx.services.log.info(`published ${event.event_type} to shard channel ${channel} on "${conn.name}" (${receivers} receivers)`);
  return { kind: 'channel', target: channel, receivers };
}

export async function publishTo(ctx: CommandContext, target: Target, eventInput: unknown | undefined): Promise<PublishResult | undefined> {
  const conn = await ctx.services.requireConnection();
  let event: EventEnvelope;
  if (eventInput === undefined) {
    event = await askEvent(ctx, target);
  } else {
    const text = typeof eventInput === 'string' ? eventInput : JSON.stringify(eventInput);
    const problem = validateEventText(text, ctx.services.registry);
    if (problem) throw new BadInputError(problem);
    const parsed = parseEvent(text);
    if (!parsed.ok) throw parsed.error;
    event = parsed.event;
  }
  const sharded = target.kind === 'channel' && target.sharded === true;
  const verb = target.kind === 'channel' ? `publish ${event.event_type} to ${sharded ? 'shard channel' : 'channel'} ${shorten(target.name, 80)}` : `append ${event.event_type} to stream ${shorten(target.name, 80)}`;
  if (!(await ctx.services.guard(verb, conn))) return undefined;
  const result = target.kind === 'stream'
    ? await ctx.services.appendEvent(conn, target.name, event)
    : sharded
      ? await publishToShardChannel(ctx, conn, target.name, event)
      : await ctx.services.publishEvent(conn, target.name, event);
  void showInfo(describeResult(result, event.event_type, sharded));
  if (target.kind === 'channel') ctx.explorer.channels.scheduleRefresh();
  else ctx.explorer.streams.refresh();
  return result;
}

export function registerPublishCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.eventPublish, 'Publish Event', async (arg?: unknown) => {
    const conn = await ctx.services.requireConnection();
    let target: Target | undefined;
    let event: unknown;
    if (isChannelNode(arg)) target = { kind: 'channel', name: arg.channel, sharded: arg.sharded === true };
    else if (isStreamNode(arg)) target = { kind: 'stream', name: arg.key };
    else if (arg && typeof arg === 'object') {
      const a = arg as PublishArgs;
      if (typeof a.shardChannel === 'string') target = { kind: 'channel', name: a.shardChannel, sharded: true };
      else if (typeof a.channel === 'string') target = { kind: 'channel', name: a.channel };
      else if (typeof a.stream === 'string') target = { kind: 'stream', name: a.stream };
      event = a.event;
    }
    target ??= await pickTarget(ctx, conn, 'Publish to a channel or append to a stream');
    return publishTo(ctx, target, event);
  });

  r.register(Commands.channelPublish, 'Publish Event', async (arg?: unknown) => {
    if (!isChannelNode(arg)) return vscode.commands.executeCommand(Commands.eventPublish);
    return publishTo(ctx, { kind: 'channel', name: arg.channel, sharded: arg.sharded === true }, undefined);
  });

  r.register(Commands.streamAppend, 'Append Event', async (arg?: unknown) => {
    if (!isStreamNode(arg)) return vscode.commands.executeCommand(Commands.eventPublish);
    return publishTo(ctx, { kind: 'stream', name: arg.key }, undefined);
  });
}

export function isChannelNode(x: unknown): x is ChannelNode {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'channel' && typeof (x as ChannelNode).channel === 'string';
}

export function isStreamNode(x: unknown): x is StreamNode {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'stream' && typeof (x as StreamNode).key === 'string';
}
