// Runs the scenario tests of a parsed `.events` file against a transport where the user's services run. For each
// test: listen on every channel, shard channel and stream its expectations name (before anything is sent), then go
// through its steps in file order — send a block, or wait for an expectation — with one placeholder context, so
// `{{uuid:order}}` is the same id in the sends and the expectations of one test.
//
// An expectation is met by an event that arrived since the test started (and met no earlier expectation) within
// its time, counted from when the step is reached; `expect no` fails when a matching event arrives in the test or
// within its time. A failure names the step's line, what was expected, the nearest events that came instead, and
// how long it waited. Memory: at most MAX_KEPT events per target are kept per test.
import { AbortedError, describeError } from '../errors';
import type { SchemaRegistry } from '../envelope/registry';
import { parseJson } from '../envelope/envelope';
import { DEFAULT_STORE_STREAM } from '../store/index-keys';
import { TARGET_KIND_OF } from '../fixtures/fixture-line';
import { TrafficTap } from '../fixtures/traffic-tap';
import { type EventBlock, type ExpectBlock, type Expectation, type ParsedEventsFile, type ScenarioTest, targetOf } from '../events-file/parser';
import { newExpansionContext } from '../events-file/placeholders';
import { blockLabel, expandBlock, prepareBlock } from '../events-file/send';
import { TARGET_NOUN, type TargetKind } from '../target';
import type { Transport } from '../transport/types';
import { eventSender } from './event-sender';
import { matchesExpected, nearness } from './match';

export interface NearEvent {
  /** ms after the test started. */
  offsetMs: number;
  /** The event's text, cut to 500 characters. */
  text: string;
  /** Expected paths it lacks or has differently. */
  differing: string[];
}

export interface ScenarioFailure {
  /** 0-based line of the step that failed. */
  line: number;
  /** One line: what was expected and what happened. */
  message: string;
  expectation?: Expectation & { object: Record<string, unknown> };
  waitedMs?: number;
  /** Events that arrived on the expectation's target during the test. */
  arrived?: number;
  nearest?: NearEvent[];
}

export interface ScenarioTestResult {
  name: string;
  /** The `### test:` line (0-based); 0 for a file without one. */
  line: number;
  passed: boolean;
  durationMs: number;
  steps: number;
  failure?: ScenarioFailure;
}

export interface RunScenarioOptions {
  signal?: AbortSignal;
  registry?: SchemaRegistry;
  /** Run only the tests this returns true for. */
  only?: (test: ScenarioTest) => boolean;
  /** The name of the one test of a file without `### test:` lines. @default 'scenario' */
  implicitName?: string;
  /** Sends to this stream go through the EventStore. @default 'event_store' */
  storeKey?: string;
  onTestStart?: (test: ScenarioTest) => void;
  onTestEnd?: (result: ScenarioTestResult) => void;
}

const MAX_KEPT = 10_000;
const NEAREST = 3;

type Step = { send: EventBlock } | { expect: ExpectBlock };

interface Arrival {
  at: number;
  text: string;
  value: unknown;
  used: boolean;
}

/** The tests of a file, as runScenarios sees them (an implicit one for a file with steps but no `### test:`). */
export function scenarioTests(file: ParsedEventsFile, implicitName = 'scenario'): ScenarioTest[] {
  if (file.tests.length) return file.tests;
  return file.expectations.length ? [{ name: implicitName, line: 0 }] : [];
}

export async function runScenarios(file: ParsedEventsFile, transport: Transport, options: RunScenarioOptions = {}): Promise<ScenarioTestResult[]> {
  const tests = scenarioTests(file, options.implicitName);
  const implicit = file.tests.length === 0;
  const results: ScenarioTestResult[] = [];
  const send = eventSender(transport, options.storeKey ?? DEFAULT_STORE_STREAM);
  for (const test of tests) {
    if (options.only && !options.only(test)) continue;
    if (options.signal?.aborted) break;
    const mine = (b: EventBlock) => (implicit ? b.test === undefined : b.test === test.name && ownerLine(file, b) === test.line);
    const steps: Step[] = [
      ...file.blocks.filter(mine).map((b) => ({ send: b })),
      ...file.expectations.filter(mine).map((b) => ({ expect: b })),
    ].sort((a, b) => lineOf(a) - lineOf(b));
    options.onTestStart?.(test);
    const result = await runTest(test, steps, transport, send, options);
    results.push(result);
    options.onTestEnd?.(result);
  }
  return results;
}

/** The line of the `### test:` a block belongs to (two tests may share a name). */
function ownerLine(file: ParsedEventsFile, b: EventBlock): number {
  let owner = -1;
  for (const t of file.tests) if (t.line < b.startLine) owner = t.line;
  return owner;
}

function lineOf(s: Step): number {
  return 'send' in s ? s.send.startLine : s.expect.startLine;
}

async function runTest(test: ScenarioTest, steps: Step[], transport: Transport, send: ReturnType<typeof eventSender>, options: RunScenarioOptions): Promise<ScenarioTestResult> {
  const started = Date.now();
  const result = (failure?: ScenarioFailure): ScenarioTestResult => ({ name: test.name, line: test.line, passed: !failure, durationMs: Date.now() - started, steps: steps.length, ...(failure ? { failure } : {}) });
  const expectations = steps.flatMap((s) => ('expect' in s ? [s.expect.expect] : []));
  const names = (kind: TargetKind) => [...new Set(expectations.filter((e) => e.kind === kind).map((e) => e.name))];
  const arrivals = new Map<string, Arrival[]>();
  let wake: (() => void) | null = null;
  const tap = expectations.length === 0 ? null : new TrafficTap(transport, { channels: names('channel'), shards: names('shard'), streams: names('stream') }, (m) => {
    const key = `${TARGET_KIND_OF[m.kind]}\u0000${m.name}`;
    let list = arrivals.get(key);
    if (!list) arrivals.set(key, (list = []));
    const text = m.text ?? JSON.stringify(m.fields ?? {});
    const parsed = parseJson(text);
    list.push({ at: m.at, text, value: parsed.ok ? parsed.value : undefined, used: false });
    if (list.length > MAX_KEPT) {
      const oldest = list.findIndex((a) => !a.used);
      if (oldest >= 0) list.splice(oldest, 1);
    }
    wake?.();
  });
  const ctx = newExpansionContext();
  try {
    await tap?.start();
    let seq = 0;
    for (const step of steps) {
      if (options.signal?.aborted) return result({ line: lineOf(step), message: 'cancelled' });
      if ('send' in step) {
        const block = step.send;
        const target = targetOf(block);
        if (!target) return result({ line: block.startLine, message: `${blockLabel(block)} has no channel or stream: add "### channel: NAME" above it` });
        ctx.seq = ++seq;
        let prepared;
        try {
          prepared = prepareBlock(block, ctx, options.registry);
        } catch (e) {
          return result({ line: block.startLine, message: describeError(e) });
        }
        // Sent even with envelope or schema issues: a scenario may send what a service must refuse (a negative
        // total); the editor and `ucore test` show the issues as warnings.
        try {
          await send(target, prepared.event);
        } catch (e) {
          return result({ line: block.startLine, message: `sending ${blockLabel(block)} to ${TARGET_NOUN[target.kind]} ${target.name} failed: ${describeError(e)}` });
        }
        continue;
      }
      const failure = await expect(step.expect);
      if (failure) return result(failure);
    }
    return result();
  } catch (e) {
    return result({ line: test.line, message: e instanceof AbortedError ? 'cancelled' : describeError(e) });
  } finally {
    await tap?.stop();
  }

  async function expect(block: ExpectBlock): Promise<ScenarioFailure | undefined> {
    const e = block.expect;
    let object: Record<string, unknown>;
    try {
      object = expandBlock(block, ctx, `the expectation on line ${block.startLine + 1}`);
    } catch (err) {
      return { line: block.startLine, message: describeError(err) };
    }
    const key = `${e.kind}\u0000${e.name}`;
    const list = () => arrivals.get(key) ?? [];
    const find = () => list().find((a) => !a.used && a.value !== undefined && matchesExpected(a.value, object));
    const reached = Date.now();
    const deadline = reached + e.withinMs;
    let hit = find();
    while (!hit && Date.now() < deadline && !options.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        function done() {
          clearTimeout(timer);
          wake = null;
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        options.signal?.addEventListener('abort', done, { once: true });
      });
      hit = find();
    }
    if (options.signal?.aborted) return { line: block.startLine, message: 'cancelled' };
    const where = `${e.negate ? 'no ' : ''}${TARGET_NOUN[e.kind]} ${e.name} within ${e.withinMs}ms`;
    const expectation = { ...e, object };
    if (e.negate) {
      if (!hit) return undefined;
      return {
        line: block.startLine, expectation, waitedMs: Date.now() - reached, arrived: list().length,
        message: `expected ${where}: ${brief(object)}, but one arrived ${hit.at - started} ms into the test: ${brief(hit.text)}`,
        nearest: [{ offsetMs: hit.at - started, text: hit.text.slice(0, 500), differing: [] }],
      };
    }
    if (hit) {
      hit.used = true;
      return undefined;
    }
    const nearest = list()
      .filter((a) => !a.used)
      .map((a) => ({ a, n: nearness(a.value, object) }))
      .sort((x, y) => y.n.matched / Math.max(1, y.n.total) - x.n.matched / Math.max(1, x.n.total))
      .slice(0, NEAREST)
      .map(({ a, n }) => ({ offsetMs: a.at - started, text: a.text.slice(0, 500), differing: a.value === undefined ? ['(not JSON)'] : n.differing, value: a.value }));
    const came = list().length;
    const instead = nearest.length
      ? `; nearest of ${came} that came (${nearest[0].offsetMs} ms into the test): ${nearest[0].differing.slice(0, 3).map((p) => `${p} ${valueAt(nearest[0].value, p)}`).join(', ')}; it was ${brief(nearest[0].text)}`
      : `; nothing arrived on ${TARGET_NOUN[e.kind]} ${e.name}`;
    return {
      line: block.startLine, expectation, waitedMs: Date.now() - reached, arrived: came, nearest: nearest.map(({ value: _v, ...rest }) => rest),
      message: `expected ${where}: ${brief(object)}, none matched in ${e.withinMs} ms${instead}`,
    };
  }
}

/** "is 10" or "is missing" for a dotted path of a nearest event (display only: keys with dots read ambiguously). */
function valueAt(root: unknown, path: string): string {
  let v = root;
  for (const k of path.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, k)) return 'is missing';
    v = (v as Record<string, unknown>)[k];
  }
  return `is ${brief(v, 60)}`;
}

function brief(v: unknown, max = 200): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
