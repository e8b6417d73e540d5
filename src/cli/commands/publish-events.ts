// `ucore publish FILE.events`: every block of a `.events` file to its target, in file order, as the extension's
// Publish All sends them — `### channel: NAME` with PUBLISH, `### shard: NAME` with SPUBLISH, `### stream: KEY` with
// XADD (through the EventStore when KEY is the store's stream, so it is indexed and published on `events`, as the
// guide's EventStore does), placeholders expanded with one set of values for the whole file ({{seq}} counts the
// events, {{uuid:label}} is the same id throughout).
//
// Nothing is sent unless the whole file is fine: a block with invalid JSON, a broken placeholder, envelope or schema
// problems or no target stops the command before the first send, each problem named FILE:LINE:COLUMN. A send that
// fails stops the rest (later events often depend on earlier ones) and names its line.
import { readFile, stat } from 'node:fs/promises';
import {
  ecommerceRegistry,
  eventSender,
  DEFAULT_STORE_STREAM,
  BadInputError,
  describeError,
  UCoreError,
  describeEventIssue,
  type EventBlock,
  type EventsProblem,
  type EventsTarget,
  checkFile,
  newExpansionContext,
  parseEventsFile,
  prepareBlock,
  TARGET_NOUN,
  targetOf,
} from '../../core/index';
import type { CliContext } from '../context';
import { safeText } from '../output';

/** Larger files are refused before reading: the parser checks at most 5 MB of events anyway. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** True when the single positional of `ucore publish` names a `.events` file. */
export function isEventsFilePath(arg: string): boolean {
  return /\.events$/i.test(arg);
}

export interface PublishEventsOptions {
  dryRun: boolean;
  /** The event store's stream: a block to this key is appended through the EventStore. @default 'event_store' */
  storeKey?: string;
}

interface Planned {
  block: EventBlock;
  line: number;
  target: EventsTarget;
  event: Record<string, unknown>;
}

export async function publishEventsFile(ctx: CliContext, file: string, options: PublishEventsOptions): Promise<number> {
  const text = await readEventsFile(file);
  const registry = ecommerceRegistry();
  const parsed = parseEventsFile(text);
  const problems = checkFile(parsed, registry);
  const blocking = problems.filter(stopsSending);
  for (const p of problems) ctx.out.note(`${file}:${p.line + 1}:${p.column + 1}: ${stopsSending(p) ? 'error' : p.severity}: ${safeText(problemText(p))}`);
  if (blocking.length) {
    throw new BadInputError(`${file}: ${blocking.length} problem${blocking.length === 1 ? '' : 's'} (first on line ${blocking[0].line + 1}); nothing was sent`);
  }
  if (parsed.blocks.length === 0) throw new BadInputError(`${file} has no events: write one JSON event per block, blocks separated by ### lines`);

  // Expanded up front, so a block that turns invalid with real values stops the command before anything is sent.
  const expansion = newExpansionContext();
  const plan: Planned[] = parsed.blocks.map((block, k) => {
    expansion.seq = k + 1;
    const line = block.startLine + 1;
    const { event, issues } = prepareBlock(block, expansion, registry);
    if (issues.length) throw new BadInputError(`${file}:${line}: ${issues.map(describeEventIssue).join('; ')}`);
    return { block, line, target: targetOf(block)!, event };
  });

  if (options.dryRun) {
    for (const p of plan) {
      const json = JSON.stringify(p.event);
      ctx.out.record({ line: p.line, target: p.target, event_type: p.event.event_type, dryRun: true, event: p.event },
        `line ${p.line}: would ${verb(p.target)} ${safeText(String(p.event.event_type), 120)} to ${describe(p.target)}: ${safeText(json, 300)}`);
    }
    ctx.out.note(`dry run: ${plural(plan.length, 'event')} checked, nothing sent`);
    return 0;
  }

  const transport = await ctx.connect();
  const send = eventSender(transport, options.storeKey ?? DEFAULT_STORE_STREAM);
  let sent = 0;
  for (const p of plan) {
    if (ctx.signal.aborted) break;
    let outcome: { receivers?: number; id?: string };
    try {
      outcome = await send(p.target, p.event);
    } catch (e) {
      ctx.out.note(`${file}:${p.line}: ${verb(p.target)} to ${describe(p.target)} failed: ${describeError(e)}`);
      throw new UCoreError(isCode(e) ? e.code : 'REDIS', `stopped at line ${p.line} after ${plural(sent, 'event')}: ${describeError(e)}`);
    }
    sent++;
    const type = safeText(String(p.event.event_type), 120);
    const human = outcome.id !== undefined
      ? `line ${p.line}: appended ${type} to ${describe(p.target)} as ${outcome.id}`
      : `line ${p.line}: published ${type} to ${describe(p.target)} (${plural(outcome.receivers ?? 0, 'receiver')})`;
    ctx.out.record({ line: p.line, target: p.target, event_type: p.event.event_type, event_id: p.event.event_id, ...outcome }, human);
  }
  ctx.out.note(`${plural(sent, 'event')} of ${plural(plan.length, 'event')} from ${file} sent${sent < plan.length ? ' (cancelled)' : ''}`);
  return sent < plan.length ? 130 : 0;
}

export async function readEventsFile(file: string): Promise<string> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new BadInputError(`${file} is not a file`);
    if (s.size > MAX_FILE_BYTES) throw new BadInputError(`${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    return await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(e)}`);
  }
}

/**
 * Errors stop the command, and so do two warnings the editor can live with: a block without a target (the
 * extension asks; a script cannot) and a file cut short by the parser's limits (part of a file is not sent).
 */
function stopsSending(p: EventsProblem): boolean {
  return p.severity === 'error' || p.code === 'target' || p.code === 'limit';
}

function problemText(p: EventsProblem): string {
  return p.code === 'target' ? 'no channel or stream: add "### channel: NAME", "### shard: NAME" or "### stream: KEY" above the event' : p.message;
}

function verb(t: EventsTarget): string {
  return t.kind === 'stream' ? 'append' : 'publish';
}

function describe(t: EventsTarget): string {
  return `${TARGET_NOUN[t.kind]} ${safeText(t.name, 120)}`;
}

function isCode(e: unknown): e is UCoreError {
  return e instanceof UCoreError;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
