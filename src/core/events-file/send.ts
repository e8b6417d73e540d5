// Turning a parsed `.events` block into the event that is sent: what stops a block from being sent at all, its
// placeholders expanded with fresh values, the envelope completed. The extension's publish commands and
// `ucore publish file.events` share these, so both send the same event for the same block. No I/O.
import { completeEvent, type EventLike } from '../envelope/envelope';
import { BadInputError, describeError } from '../errors';
import type { SchemaRegistry } from '../envelope/registry';
import { checkEvent, fillMissing, isPlainObject, type EventIssue } from './check';
import { type EventBlock, MAX_TARGET_NAME, TARGET_NOUN, type TargetKind } from './parser';
import { checkPlaceholder, type ExpansionContext, expandPlaceholders } from './placeholders';

/** Why a block cannot be sent at all (invalid JSON, broken placeholder), or undefined. */
export function sendProblem(block: EventBlock): string | undefined {
  if (block.jsonError) return `invalid JSON: ${block.jsonError.message}`;
  for (const p of block.placeholders) {
    const m = checkPlaceholder(p);
    if (m) return m;
  }
  return undefined;
}

/** How messages name a block: "event 2 (line 7)", lines counted from 1. */
export function blockLabel(block: EventBlock): string {
  return `event ${block.index + 1} (line ${block.startLine + 1})`;
}

/** The block's JSON with fresh placeholder values. */
export function expandBlock(block: EventBlock, ctx: ExpansionContext, where = `event ${block.index + 1}`): Record<string, unknown> {
  const text = expandPlaceholders(block.bodyText, block.placeholders, ctx);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BadInputError(`${where} is not valid JSON after expanding its placeholders: ${describeError(e).slice(0, 200)}`);
  }
  if (!isPlainObject(value)) throw new BadInputError(`${where} must be a JSON object`);
  return value;
}

/** A valid event gets the envelope completed; one sent despite problems gets only its missing fields, as written. */
export function toEvent(value: Record<string, unknown>, issues: readonly EventIssue[]): Record<string, unknown> {
  return issues.length ? fillMissing(value) : (completeEvent(fillMissing(value) as EventLike) as Record<string, unknown>);
}

/** A block made ready to send: placeholders expanded (in `ctx`), checked again, the envelope completed when valid. */
export function prepareBlock(block: EventBlock, ctx: ExpansionContext, registry?: SchemaRegistry): { event: Record<string, unknown>; issues: EventIssue[] } {
  const value = expandBlock(block, ctx, blockLabel(block));
  const issues = checkEvent(value, registry);
  return { event: toEvent(value, issues), issues };
}

/** A message when `v` cannot name a target of this kind (empty, too long, control characters). */
export function validateTargetName(v: string, kind: TargetKind): string | undefined {
  const t = v.trim();
  if (!t) return `a ${kind === 'stream' ? 'stream key' : `${TARGET_NOUN[kind]} name`} is required`;
  if (t.length > MAX_TARGET_NAME) return `at most ${MAX_TARGET_NAME} characters`;
  if (/[\u0000-\u001f\u007f]/.test(t)) return 'control characters are not allowed';
  return undefined;
}
