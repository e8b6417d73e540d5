// "Go to Time" on a stream: its Entries folder shows the entries from a date-time on (stream ids are append times,
// so this is one XRANGE from `<ms>-0`, whatever the stream's length), oldest first, with "Older entries" and
// "Newer entries" rows to page both ways and a row back to the newest. Accepts ISO date-times ("2026-12-01 10:00",
// UTC unless it names an offset) and times relative to now ("-1h", "-30m", "-2d").
import * as vscode from 'vscode';
import { BadInputError } from '../../core/index';
import type { CommandContext } from '../commands/context';
import { pickStream, required } from '../commands/pickers';
import { EntriesNode, type SeekPageNode, type StreamsTreeNode } from '../explorer/streamsTree';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The instant `text` names, or a message saying what is accepted. */
export function parseTimeInput(text: string, now = Date.now()): Date | string {
  const t = text.trim();
  if (t === '' ) return 'give a date-time (2026-12-01 10:00) or a time before now (-1h, -30m, -2d)';
  if (t.toLowerCase() === 'now') return new Date(now);
  const rel = /^-\s*(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(t);
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return `not a date-time: ${t.slice(0, 60)} (try 2026-12-01 10:00 or -1h)`;
  const iso = t.replace(' ', 'T');
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? new Date(ms) : `not a date-time: ${t.slice(0, 60)}`;
}

export async function goToTime(ctx: CommandContext, arg?: unknown, when?: unknown): Promise<{ folderId: string; ids: string[] }> {
  const conn = await ctx.services.requireConnection();
  const tree = ctx.explorer.streams;
  const node = arg && typeof arg === 'object' && ((arg as { kind?: unknown }).kind === 'stream' || (arg as { kind?: unknown }).kind === 'entries') ? arg as StreamsTreeNode & { key: string } : undefined;
  const key = node?.key ?? (typeof arg === 'string' ? arg : await pickStream(conn, 'Stream to open at a time'));
  const streamNodeId = node ? (node.kind === 'entries' ? node.id.replace(/\/entries$/, '') : node.id) : `${conn.name}/s/${key}`;
  const input = typeof when === 'string' ? when : required(await vscode.window.showInputBox({
    prompt: `Show ${key} from (UTC date-time, or relative: -1h, -30m, -2d)`,
    value: '-1h', ignoreFocusOut: true,
    validateInput: (v) => { const r = parseTimeInput(v); return typeof r === 'string' ? r : null; },
  }));
  const at = parseTimeInput(input);
  if (typeof at === 'string') throw new BadInputError(at);
  const folderId = tree.entriesFolderId(streamNodeId);
  tree.seek(folderId, { at: at.toISOString() });
  return { folderId, ids: await pageIds(ctx, folderId, key) };
}

/** Moves the page of a folder opened at a time: older, newer, or back to the newest entries. */
export async function seekPage(ctx: CommandContext, row?: unknown): Promise<{ folderId: string; ids: string[] } | undefined> {
  const r = row as SeekPageNode | undefined;
  if (!r || r.kind !== 'seekPage') return undefined;
  ctx.explorer.streams.seek(r.folderId, r.to);
  return { folderId: r.folderId, ids: await pageIds(ctx, r.folderId, r.key) };
}

/** The entry ids the folder shows now (for scripts and tests), read as the view reads them. */
async function pageIds(ctx: CommandContext, folderId: string, key?: string): Promise<string[]> {
  const tree = ctx.explorer.streams;
  const node = tree.nodeById(folderId) ?? (key !== undefined ? new EntriesNode(folderId, key, 0) : undefined);
  if (!node) return [];
  const rows = await tree.getChildren(node);
  return rows.filter((n): n is Extract<StreamsTreeNode, { kind: 'entry' }> => n.kind === 'entry').map((n) => n.entry.id);
}
