// Quick picks shared by commands invoked from the palette (no tree item given).
import {
  isIndexKey,
  DEAD_LETTER_STREAM,
  ECOMMERCE_CHANNEL,
  USER_CHANNEL,
  AbortedError,
  type EventTarget,
  type StreamEntry,
} from '../../core/index';
import * as vscode from 'vscode';
import { ago, idTimeMs, shorten } from '../format';
import type { ActiveConnection } from '../services';
import type { CommandContext } from './context';

/** The user pressed Escape: stop quietly (handleErrors logs "cancelled" and shows nothing). */
export function cancelled(): never {
  throw new AbortedError();
}

export function required<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) cancelled();
  return value;
}

export async function listStreams(conn: ActiveConnection, max = 200): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  let steps = 0;
  do {
    const r = await conn.transport.scan(cursor, { type: 'stream', count: 500 });
    cursor = r.cursor;
    for (const k of r.keys) if (!isIndexKey(k)) found.add(k);
  } while (cursor !== '0' && found.size < max && ++steps < 100);
  return [...found].sort().slice(0, max);
}

export async function pickStream(conn: ActiveConnection, placeHolder: string): Promise<string> {
  const streams = await listStreams(conn);
  if (streams.length === 0) {
    return required(await vscode.window.showInputBox({ prompt: `${placeHolder} (no stream exists yet: type a key)`, ignoreFocusOut: true, validateInput: nonEmpty }));
  }
  const other = '$(edit) Other stream…';
  const pick = required(await vscode.window.showQuickPick([...streams.map((s) => shorten(s)), other], { placeHolder, ignoreFocusOut: true }));
  if (pick === other) return required(await vscode.window.showInputBox({ prompt: 'Stream key', ignoreFocusOut: true, validateInput: nonEmpty }));
  return streams[streams.map((s) => shorten(s)).indexOf(pick)] ?? pick;
}

/** Channels the explorer knows (shard channels too), the guide's channels, streams, and "Other…". */
export async function pickTarget(ctx: CommandContext, conn: ActiveConnection, placeHolder: string): Promise<EventTarget> {
  const channels = new Set<string>([ECOMMERCE_CHANNEL, USER_CHANNEL, 'events']);
  const shardChannels = new Set<string>();
  for (const n of ctx.explorer.channels.current) if (n.kind === 'channel') (n.sharded ? shardChannels : channels).add(n.channel);
  const streams = await listStreams(conn, 100).catch(() => [ctx.services.settings.get('storeStreamKey')]);
  const storeKey = ctx.services.settings.get('storeStreamKey');
  if (!streams.includes(storeKey)) streams.unshift(storeKey);
  type Item = vscode.QuickPickItem & { target?: EventTarget; other?: EventTarget['kind'] };
  const items: Item[] = [
    { label: 'Channels', kind: vscode.QuickPickItemKind.Separator },
    ...[...channels].sort().map((c): Item => ({ label: `$(radio-tower) ${shorten(c)}`, description: 'channel (PUBLISH)', target: { kind: 'channel', name: c } })),
    ...[...shardChannels].sort().map((c): Item => ({ label: `$(broadcast) ${shorten(c)}`, description: 'shard channel (SPUBLISH)', target: { kind: 'shard', name: c } })),
    { label: '$(edit) Other channel…', other: 'channel' },
    { label: '$(edit) Other shard channel…', description: 'SPUBLISH', other: 'shard' },
    { label: 'Streams', kind: vscode.QuickPickItemKind.Separator },
    ...streams.filter((s) => s !== DEAD_LETTER_STREAM).map((s): Item => ({
      label: `$(list-ordered) ${shorten(s)}`, description: s === storeKey ? 'event store (XADD + index + publish)' : 'stream (XADD field "event")', target: { kind: 'stream', name: s },
    })),
    { label: '$(edit) Other stream…', other: 'stream' },
  ];
  const pick = required(await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true, matchOnDescription: true }));
  if (pick.target) return pick.target;
  const other = pick.other ?? 'channel';
  const prompt = other === 'channel' ? 'Channel name' : other === 'shard' ? 'Shard channel name (SPUBLISH)' : 'Stream key';
  const name = required(await vscode.window.showInputBox({ prompt, ignoreFocusOut: true, validateInput: nonEmpty }));
  return { kind: other, name };
}

export async function pickEntry(conn: ActiveConnection, stream: string, placeHolder: string): Promise<StreamEntry> {
  const entries = await conn.transport.xrevrange(stream, '+', '-', 50);
  if (entries.length === 0) throw new AbortedError(`${stream} has no entries`);
  const items = entries.map((e) => {
    const t = idTimeMs(e.id);
    return { label: e.id, description: t ? ago(t) : '', detail: shorten(e.fields.event ?? JSON.stringify(e.fields), 160), entry: e };
  });
  return required(await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true, matchOnDetail: true })).entry;
}

export async function pickGroup(conn: ActiveConnection, stream: string): Promise<string> {
  const groups = await conn.transport.xinfoGroups(stream);
  if (groups.length === 0) throw new AbortedError(`${stream} has no consumer groups`);
  const items = groups.map((g) => ({ label: shorten(g.name), description: `${g.pending} pending · lag ${g.lag ?? '?'}`, name: g.name }));
  return required(await vscode.window.showQuickPick(items, { placeHolder: 'Consumer group', ignoreFocusOut: true })).name;
}

export function nonEmpty(v: string): string | undefined {
  return v.trim() ? undefined : 'Required';
}

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => string | undefined {
  return (v) => {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? undefined : `A whole number from ${min} to ${max}`;
  };
}
