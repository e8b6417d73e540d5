// "Publish Event": pick a channel or stream, an event type from the registry, edit the prefilled JSON (validated as
// you type: JSON, envelope, schema), then send it.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import {
  createEvent,
  parseEvent,
  parseJson,
  type EventEnvelope,
  type SchemaRegistry,
  BadInputError,
  InvalidEventError,
  describeIssues,
  TARGET_NOUN,
  type EventTarget,
} from '../../core/index';
import { Commands } from '../constants';
import type { ChannelNode } from '../explorer/channelsTree';
import type { StreamNode } from '../explorer/streamsTree';
import { shorten } from '../format';
import type { PublishResult } from '../publishing/publisher';
import type { CommandContext } from './context';
import { pickTarget, required } from './pickers';
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

async function askEvent(ctx: CommandContext, target: EventTarget): Promise<EventEnvelope> {
  const { registry } = ctx.services;
  const types = registry.eventTypes();
  const empty = { label: '$(file) Empty event', description: 'only the envelope', type: undefined as string | undefined };
  const items = [...types.map((t) => ({ label: t, description: `v${registry.latest(t)?.version ?? '1.0'}`, type: t as string | undefined })), empty];
  const pick = required(await vscode.window.showQuickPick(items, { placeHolder: `Event type to ${target.kind === 'stream' ? 'append to' : 'publish to'} ${shorten(target.name, 80)}`, ignoreFocusOut: true }));
  const initial = JSON.stringify(templateEvent(registry, pick.type));
  const text = required(await vscode.window.showInputBox({
    title: `${target.kind === 'stream' ? 'Append to' : 'Publish to'} ${TARGET_NOUN[target.kind]} ${shorten(target.name, 80)}`,
    prompt: 'The event as JSON (one line). Checked against the envelope and the registered schema.',
    value: initial,
    ignoreFocusOut: true,
    validateInput: (v) => validateEventText(v, registry),
  }));
  const parsed = parseEvent(text);
  if (!parsed.ok) throw parsed.error;
  return parsed.event;
}

export async function publishTo(ctx: CommandContext, target: EventTarget, eventInput: unknown | undefined): Promise<PublishResult | undefined> {
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
  const verb = `${target.kind === 'stream' ? 'append' : 'publish'} ${event.event_type} to ${TARGET_NOUN[target.kind]} ${shorten(target.name, 80)}`;
  if (!(await ctx.services.guard(verb, conn))) return undefined;
  const result = await ctx.publisher.send(conn, target, event);
  void showInfo(ctx.publisher.describe(result));
  if (target.kind === 'stream') ctx.explorer.streams.refresh();
  else ctx.explorer.channels.scheduleRefresh();
  return result;
}

export function registerPublishCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.eventPublish, 'Publish Event', async (arg?: unknown) => {
    const conn = await ctx.services.requireConnection();
    let target: EventTarget | undefined;
    let event: unknown;
    if (isChannelNode(arg)) target = channelTarget(arg);
    else if (isStreamNode(arg)) target = { kind: 'stream', name: arg.key };
    else if (arg && typeof arg === 'object') {
      const a = arg as PublishArgs;
      if (typeof a.shardChannel === 'string') target = { kind: 'shard', name: a.shardChannel };
      else if (typeof a.channel === 'string') target = { kind: 'channel', name: a.channel };
      else if (typeof a.stream === 'string') target = { kind: 'stream', name: a.stream };
      event = a.event;
    }
    target ??= await pickTarget(ctx, conn, 'Publish to a channel or append to a stream');
    return publishTo(ctx, target, event);
  });

  r.register(Commands.channelPublish, 'Publish Event', async (arg?: unknown) => {
    if (!isChannelNode(arg)) return vscode.commands.executeCommand(Commands.eventPublish);
    return publishTo(ctx, channelTarget(arg), undefined);
  });

  r.register(Commands.streamAppend, 'Append Event', async (arg?: unknown) => {
    if (!isStreamNode(arg)) return vscode.commands.executeCommand(Commands.eventPublish);
    return publishTo(ctx, { kind: 'stream', name: arg.key }, undefined);
  });
}

/** A Channels tree node's target: its channel, or its shard channel (SPUBLISH). */
export function channelTarget(node: ChannelNode): EventTarget {
  return { kind: node.sharded === true ? 'shard' : 'channel', name: node.channel };
}

export function isChannelNode(x: unknown): x is ChannelNode {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'channel' && typeof (x as ChannelNode).channel === 'string';
}

export function isStreamNode(x: unknown): x is StreamNode {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'stream' && typeof (x as StreamNode).key === 'string';
}
