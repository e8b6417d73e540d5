// The `.events` file format. No vscode import: the extension, the node tests and anything else can parse a file.
//
//   ### channel: ecommerce_events        ← a separator line: `###`, then `channel: NAME`, `shard: NAME` (a shard
//                                          channel, SPUBLISH), `stream: KEY` or a free title
//   { "event_type": "order_created", … } ← one JSON event (any number of lines) up to the next `###` line or the end
//
// Rules (also told in examples/quick-start.events):
// - Every line that starts with `###` ends the block above and starts a new one. A line starting with `###` is
//   always a separator, even inside a half-written JSON string.
// - A block with nothing but blank lines is skipped. If its header names a target (`### channel: orders` with no
//   event under it), that target becomes the default for the following blocks that do not name their own, until
//   the next such line. A title-only `###` line directly above a block's `###` line becomes that block's title.
// - Text before the first `###` line is a block too (without a header).
// - Scenario tests: `### test: NAME` starts a test (the blocks below, up to the next test, are its steps);
//   `### expect channel: NAME within 500ms` (or `expect shard:` / `expect stream:`, or `expect no channel: …`) above
//   a JSON object is an expectation, kept apart from the events (`expectations`), so every reader of `blocks` still
//   sees only events to send. `{{uuid:label}}` keeps its value across the blocks of one test.
// - Placeholders (`{{uuid}}`, `{{now}}`, …, see placeholders.ts) are kept as written and expanded when sending; the
//   parser checks the JSON with each bare placeholder standing for a value of its type.
// - Bounded: at most MAX_BLOCKS events and MAX_CHARS characters of event text are parsed; `truncated` says where
//   parsing stopped. Hostile text (binary, deep nesting, huge blocks) gives problems, never a throw.
import { scanJson, type JsonProblem } from './json-scan';
import { expandPlaceholders, findPlaceholders, maskPlaceholders, newExpansionContext, type PlaceholderRef } from './placeholders';

// Where an event goes: the core's one EventTarget (a channel: PUBLISH, a shard channel: SPUBLISH, a stream: XADD).
import { type EventTarget, TARGET_NOUN, type TargetKind } from '../target';

export { TARGET_NOUN, type TargetKind };

/** An example name for each kind, for messages that show how to write a header. */
const EXAMPLE_NAME: Readonly<Record<TargetKind, string>> = { channel: 'ecommerce_events', shard: 'order_updates', stream: 'event_store' };

/** A block's target: the core's EventTarget (kept under this name for the format's readers). */
export type EventsTarget = EventTarget;

/** Zero-based, columns in UTF-16 code units: the same as vscode.Range. */
export interface DocRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonErrorInfo extends DocRange {
  message: string;
}

export interface PlaceholderInfo extends PlaceholderRef {
  range: DocRange;
}

export interface EventBlock {
  /** Position among the file's (non-empty) blocks: the argument of the publish commands. */
  index: number;
  /** The `###` line; -1 for text before the first separator. */
  headerLine: number;
  /** Where the block's CodeLens goes: the header line, else the first body line. */
  startLine: number;
  /** First line after the header. */
  bodyStartLine: number;
  /** Last non-blank line of the body. */
  endLine: number;
  /** From the block's own header. */
  target?: EventsTarget;
  /** From a target-only header above (see the rules at the top). */
  defaultTarget?: EventsTarget;
  /** A free title from the block's header or a title-only `###` line just above. */
  title?: string;
  /** The scenario test the block is a step of (the nearest `### test:` line above). */
  test?: string;
  /** The body, line breaks normalised to \n. */
  bodyText: string;
  /** The parsed event, placeholders given sample values (the smallest number of a range, a fixed uuid…). */
  json?: unknown;
  jsonError?: JsonErrorInfo;
  placeholders: PlaceholderInfo[];
  /** True when the block has more placeholders than are looked at. */
  placeholdersTruncated: boolean;
  /** Where each property's key is (paths like "data.items.0.quantity"; '' is the whole event). */
  keyRanges: Map<string, DocRange>;
  duplicateKeys: JsonErrorInfo[];
}

/** What an `### expect …` header asks for. */
export interface Expectation {
  kind: TargetKind;
  name: string;
  withinMs: number;
  /** `expect no …`: no matching event may arrive. */
  negate: boolean;
}

/** An `### expect …` block: its body is the object an arriving event must contain. */
export interface ExpectBlock extends EventBlock {
  expect: Expectation;
}

/** A `### test: NAME` line. */
export interface ScenarioTest {
  name: string;
  /** Its header line (0-based). */
  line: number;
}

export interface HeaderProblem extends DocRange {
  message: string;
  severity: 'error' | 'warning';
}

export interface ParsedEventsFile {
  blocks: EventBlock[];
  /** `### expect …` blocks, in file order (their `index` counts expectations). */
  expectations: ExpectBlock[];
  /** `### test:` lines, in file order. */
  tests: ScenarioTest[];
  headerProblems: HeaderProblem[];
  /** Set when parsing stopped early: the first line not parsed and why. */
  truncated?: { line: number; reason: string };
}

export const MAX_BLOCKS = 10_000;
/** Characters of event text parsed per file (a 5 MB event still fits). */
export const MAX_CHARS = 5 * 1024 * 1024;
export const MAX_TARGET_NAME = 1024;

export interface ParseOptions {
  maxBlocks?: number;
  maxChars?: number;
  /** Deepest JSON nesting checked (default 2,000). */
  maxDepth?: number;
}

/** The target a block is sent to: its own, else the section default; undefined = ask. */
export function targetOf(block: EventBlock): EventsTarget | undefined {
  return block.target ?? block.defaultTarget;
}

interface Header {
  target?: EventsTarget;
  title?: string;
  test?: string;
  expect?: Expectation;
}

interface PendingBlock {
  headerLine: number;
  header?: Header;
  bodyStartLine: number;
  lines: string[];
}

export function parseEventsFile(text: string, options: ParseOptions = {}): ParsedEventsFile {
  const maxBlocks = options.maxBlocks ?? MAX_BLOCKS;
  const maxChars = options.maxChars ?? MAX_CHARS;
  const bom = text.charCodeAt(0) === 0xfeff;
  const blocks: EventBlock[] = [];
  const expectations: ExpectBlock[] = [];
  const tests: ScenarioTest[] = [];
  const headerProblems: HeaderProblem[] = [];
  const result: ParsedEventsFile = { blocks, expectations, tests, headerProblems };
  let sectionDefault: EventsTarget | undefined;
  let currentTest: string | undefined;
  let pendingTitle: string | undefined;
  let chars = 0;
  let current: PendingBlock = { headerLine: -1, bodyStartLine: 0, lines: [] };

  const finish = (b: PendingBlock): boolean => {
    const header = b.header;
    if (header?.test !== undefined) {
      if (tests.some((t) => t.name === header.test)) headerProblems.push({ ...lineRange(b.headerLine), severity: 'warning', message: `a second test named "${header.test}": \`ucore test\` and the Test Explorer tell them apart by line only` });
      tests.push({ name: header.test, line: b.headerLine });
      currentTest = header.test;
    }
    if (header?.expect && b.lines.every(isBlank)) {
      headerProblems.push({ ...lineRange(b.headerLine), severity: 'error', message: 'an expectation needs a JSON object below it: the properties the event must have ({} for any event)' });
      return true;
    }
    if (b.lines.every(isBlank)) {
      if (b.header?.target) sectionDefault = b.header.target;
      // A title names the next event only when its line is directly above that event's header or body.
      pendingTitle = b.lines.length === 0 ? b.header?.title : undefined;
      return true;
    }
    if (blocks.length + expectations.length >= maxBlocks) {
      result.truncated = { line: b.headerLine >= 0 ? b.headerLine : b.bodyStartLine, reason: `more than ${maxBlocks.toLocaleString('en-US')} events in one file: the rest is not checked` };
      return false;
    }
    if (header?.expect) {
      const expectBlock = buildBlock(b, expectations.length, bom, options.maxDepth) as ExpectBlock;
      expectBlock.expect = header.expect;
      if (currentTest !== undefined) expectBlock.test = currentTest;
      expectations.push(expectBlock);
      pendingTitle = undefined;
      return true;
    }
    const block = buildBlock(b, blocks.length, bom, options.maxDepth);
    if (currentTest !== undefined) block.test = currentTest;
    if (b.header?.target) block.target = b.header.target;
    if (sectionDefault) block.defaultTarget = sectionDefault;
    const title = b.header?.title ?? pendingTitle;
    if (title) block.title = title;
    pendingTitle = undefined;
    blocks.push(block);
    return true;
  };

  const lineBreak = /\r\n|\r|\n/g;
  let lineNo = 0;
  let start = bom ? 1 : 0;
  for (;;) {
    const m = lineBreak.exec(text);
    const end = m ? m.index : text.length;
    const line = text.slice(start, end);
    const header = line.startsWith('###');
    if (header && !finish(current)) return result;
    chars += line.length + 1;
    if (chars > maxChars) {
      const first = header ? lineNo : current.headerLine >= 0 ? current.headerLine : current.bodyStartLine;
      result.truncated = { line: first, reason: `the file has more than ${(maxChars / 1024 / 1024).toFixed(0)} MB of events: the rest is not checked` };
      return result;
    }
    if (header) {
      current = { headerLine: lineNo, header: parseHeader(line, lineNo, lineNo === 0 && bom ? 1 : 0, headerProblems), bodyStartLine: lineNo + 1, lines: [] };
    } else {
      current.lines.push(line);
    }
    if (!m) break;
    start = m.index + m[0].length;
    lineNo++;
  }
  finish(current);
  return result;
}

const TARGET_HEADER = /^(channel|shard|stream)\s*:\s*(.*)$/i;
const TEST_HEADER = /^test\s*:\s*(.*)$/i;
const EXPECT_HEADER = /^expect\s+(no\s+)?(channel|shard|stream)\s*:\s*(.*?)\s+within\s+(\d{1,7})\s*ms$/i;
const EXPECT_WORD = /^expect\b/i;

function lineRange(line: number): DocRange {
  return { line, column: 0, endLine: line, endColumn: 3 };
}
const TARGET_WORDS: readonly TargetKind[] = ['channel', 'shard', 'stream'];
const KEYWORD_LIKE = /^([A-Za-z_-]{2,16})\s*:/;

function parseHeader(line: string, lineNo: number, colShift: number, problems: HeaderProblem[]): Header {
  const rest = line.replace(/^#+/, '');
  const text = rest.trim();
  const textCol = colShift + (line.length - rest.length) + (rest.length - rest.trimStart().length);
  const range = (from: number, len: number): DocRange => ({ line: lineNo, column: textCol + from, endLine: lineNo, endColumn: textCol + from + Math.max(1, len) });
  if (!text) return {};
  const test = TEST_HEADER.exec(text);
  if (test) {
    const name = test[1].trim();
    if (!name || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) {
      problems.push({ ...range(0, text.length), severity: 'error', message: 'a test needs a name of at most 200 characters, e.g. ### test: a paid order ships' });
      return {};
    }
    return { test: name };
  }
  if (EXPECT_WORD.test(text)) {
    const e = EXPECT_HEADER.exec(text);
    const name = e?.[3].trim() ?? '';
    if (!e || !name || name.length > MAX_TARGET_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
      problems.push({ ...range(0, text.length), severity: 'error', message: 'write an expectation as ### expect channel: NAME within 500ms (or expect shard: / expect stream: / expect no channel: …)' });
      return {};
    }
    const withinMs = Number(e[4]);
    if (withinMs < 1 || withinMs > 600_000) {
      problems.push({ ...range(0, text.length), severity: 'error', message: 'the time must be from 1 to 600000 ms' });
      return {};
    }
    return { expect: { kind: e[2].toLowerCase() as TargetKind, name, withinMs, negate: !!e[1] } };
  }
  const m = TARGET_HEADER.exec(text);
  if (m) {
    const kind = m[1].toLowerCase() as TargetKind;
    const name = m[2].trim();
    const nameCol = text.length - m[2].length + (m[2].length - m[2].trimStart().length);
    if (!name) {
      problems.push({ ...range(0, text.length), severity: 'error', message: `"${kind}:" needs a name, e.g. ### ${kind}: ${EXAMPLE_NAME[kind]}` });
      return {};
    }
    if (name.length > MAX_TARGET_NAME) {
      problems.push({ ...range(nameCol, name.length), severity: 'error', message: `the ${TARGET_NOUN[kind]} name is longer than ${MAX_TARGET_NAME} characters` });
      return {};
    }
    if (/[\u0000-\u001f\u007f]/.test(name)) {
      problems.push({ ...range(nameCol, name.length), severity: 'error', message: `the ${TARGET_NOUN[kind]} name contains control characters` });
      return {};
    }
    return { target: { kind, name } };
  }
  const k = KEYWORD_LIKE.exec(text);
  if (k) {
    const word = k[1].toLowerCase();
    // Two typos are allowed in the long words; one (a swap counts as one) in "shard", else titles such as
    // "Short: …" or "Stage: …" would be taken for misspelt headers.
    const near = TARGET_WORDS.find((w) => editDistance(word, w) <= (w.length > 5 ? 2 : 1));
    if (near) problems.push({ ...range(0, k[1].length), severity: 'warning', message: `"${k[1]}:" is read as a title; did you mean "${near}:"?` });
  }
  return { title: text.length > 200 ? `${text.slice(0, 200)}…` : text };
}

function buildBlock(b: PendingBlock, index: number, bom: boolean, maxDepth: number | undefined): EventBlock {
  let last = b.lines.length - 1;
  while (last > 0 && isBlank(b.lines[last])) last--;
  const bodyText = b.lines.join('\n');
  const toPos = positionMapper(bodyText, b.bodyStartLine, bom && b.bodyStartLine === 0 ? 1 : 0);
  const toRange = (offset: number, length: number): DocRange => {
    const s = toPos(offset);
    const e = toPos(offset + Math.max(0, length));
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  };
  const found = findPlaceholders(bodyText);
  const block: EventBlock = {
    index,
    headerLine: b.headerLine,
    startLine: b.headerLine >= 0 ? b.headerLine : firstNonBlankLine(b),
    bodyStartLine: b.bodyStartLine,
    endLine: b.bodyStartLine + last,
    bodyText,
    placeholders: found.refs.map((r) => ({ ...r, range: toRange(r.offset, r.length) })),
    placeholdersTruncated: found.truncated,
    keyRanges: new Map(),
    duplicateKeys: [],
  };
  const scan = scanJson(maskPlaceholders(bodyText, found.refs), { maxDepth });
  for (const [path, loc] of scan.paths) block.keyRanges.set(path, toRange(loc.offset, loc.length));
  block.duplicateKeys = scan.duplicates.map((d) => ({ ...toRange(d.offset, d.length), message: d.message }));
  if (scan.error) {
    block.jsonError = jsonError(scan.error, toRange, toPos);
    return block;
  }
  const preview = expandPlaceholders(bodyText, found.refs, newExpansionContext({ preview: true }));
  try {
    block.json = JSON.parse(preview);
  } catch (e) {
    // The scanner accepted what JSON.parse refuses: should not happen; report it on the block rather than hide it.
    block.jsonError = { ...toRange(0, 1), message: `not valid JSON: ${String((e as Error).message).slice(0, 200)}` };
  }
  return block;
}

function jsonError(p: JsonProblem, toRange: (o: number, l: number) => DocRange, toPos: (o: number) => { line: number }): JsonErrorInfo {
  const r = toRange(p.offset, p.length);
  const related = p.related !== undefined ? ` (opened on line ${toPos(p.related).line + 1})` : '';
  return { ...r, message: p.message + related };
}

/** Body offset → document position, by binary search over the body's line starts. */
function positionMapper(body: string, firstLine: number, firstLineShift: number): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let k = body.indexOf('\n'); k >= 0; k = body.indexOf('\n', k + 1)) starts.push(k + 1);
  return (offset: number) => {
    const o = Math.max(0, Math.min(offset, body.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: firstLine + lo, column: o - starts[lo] + (lo === 0 ? firstLineShift : 0) };
  };
}

function firstNonBlankLine(b: PendingBlock): number {
  const k = b.lines.findIndex((l) => !isBlank(l));
  return b.bodyStartLine + Math.max(0, k);
}

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/** Edits between two short words, a swap of neighbours counting as one ("shrad" is 1 from "shard"); 3 means "3 or more". */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let before = Array.from({ length: b.length + 1 }, () => 0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length];
}

/** The block the cursor is in: the last one starting at or above `line` (its header or, without one, the top). */
export function blockAtLine(file: ParsedEventsFile, line: number): EventBlock | undefined {
  let found: EventBlock | undefined;
  for (const b of file.blocks) {
    if ((b.headerLine >= 0 ? b.headerLine : 0) <= line) found = b;
    else break;
  }
  return found;
}
