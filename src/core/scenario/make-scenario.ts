// Turns a recorded fixture into a scenario (`.events` text with `### test:` blocks): events on the input channels
// and streams become sends, events on the output ones become expectations. One test per entity (the events that
// name the same entity_id or data.order_id), so each test sends one order and waits for what the services did with
// it; events without an entity make one test of their own.
//
// Ids change on every run, so: keys that hold ids or times (event_id, timestamp, correlation_id, causation_id) are
// left out of both sends (the sender fills fresh ones) and expectations; every UUID inside a string becomes a
// labelled placeholder (`"order:{{uuid:u1}}"`) that keeps its value across the test's blocks, so an expectation names
// the order its send created; a UUID or time an output made up itself (a payment id) is left out of the expectation.
// Each expectation waits for its event for a few times as long as the recording took to see it, at least a second.
// Recorded text is data: a `{{…}}` that was in an event (a template, a Mustache string) is written with its braces
// escaped (`\u007b`), so the scenario sends and expects it literally instead of expanding it as a placeholder.
import { entityOf } from '../envelope/envelope';
import { DEFAULT_IGNORED_KEYS } from '../fixtures/compare';
import type { FixtureEvent, FixtureKind } from '../fixtures/fixture-line';

export interface MakeScenarioOptions {
  /** Channels and streams whose events are sent, as `kind name` keys (see `fixtureTargetKey`). */
  inputs: ReadonlySet<string>;
  /** Channels and streams whose events are expected. */
  outputs: ReadonlySet<string>;
  /** Where the fixture came from, for the first line. */
  source?: string;
  /** At most this many tests (the first entities in the recording). @default 50 */
  maxTests?: number;
  /** The least time an expectation waits. @default 1000 */
  minWithinMs?: number;
}

export interface MadeScenario {
  text: string;
  tests: number;
  sends: number;
  expectations: number;
  /** Events on the chosen targets that could not be used (not JSON objects, or over maxTests). */
  skipped: number;
}

/** How a fixture's channel or stream is named in MakeScenarioOptions: "pubsub orders", "stream event_store". */
export function fixtureTargetKey(e: { kind: FixtureKind; name: string }): string {
  return `${e.kind} ${e.name}`;
}

const HEADER_KIND: Readonly<Record<FixtureKind, string>> = { pubsub: 'channel', shard: 'shard', stream: 'stream' };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const IGNORED = new Set(DEFAULT_IGNORED_KEYS);
const NO_ENTITY = '\u0000';

export function makeScenario(events: readonly FixtureEvent[], options: MakeScenarioOptions): MadeScenario {
  const maxTests = options.maxTests ?? 50;
  const minWithin = options.minWithinMs ?? 1000;
  const groups = new Map<string, FixtureEvent[]>();
  let skipped = 0;
  for (const e of events) {
    const key = fixtureTargetKey(e);
    if (!options.inputs.has(key) && !options.outputs.has(key)) continue;
    if (!e.event) {
      skipped++;
      continue;
    }
    const entity = entityOf(e.event) ?? orderIdOf(e.event) ?? NO_ENTITY;
    let list = groups.get(entity);
    if (!list) {
      if (groups.size >= maxTests) {
        skipped++;
        continue;
      }
      groups.set(entity, (list = []));
    }
    list.push(e);
  }
  const out: string[] = [];
  if (options.source) out.push(`### Made from ${oneLine(options.source)}: sends on ${[...options.inputs].join(', ') || 'nothing'}; expects on ${[...options.outputs].join(', ') || 'nothing'}`, '');
  let tests = 0;
  let sends = 0;
  let expectations = 0;
  for (const [entity, list] of groups) {
    // A test that sends nothing only waits for traffic someone else makes: kept, but it says so in its name.
    const inputs = list.filter((e) => options.inputs.has(fixtureTargetKey(e)));
    const labels = new Map<string, string>();
    const body: string[] = [];
    let lastSend: number | undefined;
    for (const e of list) {
      const header = HEADER_KIND[e.kind];
      if (options.inputs.has(fixtureTargetKey(e))) {
        const value = rewrite(e.event, labels, true);
        body.push(`### ${header}: ${e.name}`, scenarioJson(value), '');
        lastSend = e.t;
        sends++;
      } else {
        const value = rewrite(e.event, labels, false);
        const waited = lastSend === undefined ? 0 : Math.max(0, e.t - lastSend);
        const within = Math.max(minWithin, Math.ceil((waited * 3 + 500) / 100) * 100);
        body.push(`### expect ${header}: ${e.name} within ${within}ms`, scenarioJson(value), '');
        expectations++;
      }
    }
    if (body.length === 0) continue;
    tests++;
    const what = entity === NO_ENTITY ? 'events without an entity' : oneLine(entity.replace(UUID, '…'));
    const name = `${inputs.length ? '' : 'only expects: '}${what} (${tests})`;
    out.push(`### test: ${name}`, ...body);
  }
  return { text: `${out.join('\n').trimEnd()}\n`, tests, sends, expectations, skipped };
}

/**
 * The event with id and time keys left out and UUIDs in strings turned into labelled placeholders. In a send every
 * UUID gets a label; in an expectation only those a send of the test already labelled are kept (a string holding
 * another UUID, or an ISO time, is left out: the service makes a new one on every run).
 */
function rewrite(value: unknown, labels: Map<string, string>, isSend: boolean): unknown {
  if (typeof value === 'string') {
    let unknownId = false;
    const parts: Array<string | { label: string }> = [];
    let at = 0;
    for (const m of value.matchAll(UUID)) {
      const key = m[0].toLowerCase();
      let label = labels.get(key);
      if (!label && isSend) labels.set(key, (label = `u${labels.size + 1}`));
      if (!label) unknownId = true;
      parts.push(value.slice(at, m.index), { label: label ?? 'x' });
      at = m.index + m[0].length;
    }
    if (!isSend && (unknownId || ISO_TIME.test(value))) return OMIT;
    parts.push(value.slice(at));
    return new ScenarioText(parts);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    // Arrays must match exactly: one with a made-up id in it cannot be expected, so it is left out whole.
    const items = value.map((v) => rewrite(v, labels, isSend));
    return items.includes(OMIT) ? OMIT : items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (IGNORED.has(k)) continue;
    const r = rewrite(v, labels, isSend);
    if (r !== OMIT) out[k] = r;
  }
  return out;
}

const OMIT = Symbol('omit');

/** A string of the scenario: recorded text with the placeholders the rewrite put in (`{{uuid:u1}}`). */
class ScenarioText {
  constructor(readonly parts: ReadonlyArray<string | { label: string }>) {}
}

/**
 * JSON.stringify for a rewritten event, on one line: the placeholders of its ScenarioTexts as written, every `{`
 * of recorded text (values and keys) as `\u007b`, which the `.events` parser never reads as the start of a
 * placeholder and JSON.parse reads back as `{`.
 */
function scenarioJson(value: unknown): string {
  if (value instanceof ScenarioText) {
    return `"${value.parts.map((p) => (typeof p === 'string' ? literal(p) : `{{uuid:${p.label}}}`)).join('')}"`;
  }
  if (Array.isArray(value)) return `[${value.map(scenarioJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `"${literal(k)}":${scenarioJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The inside of a JSON string for `s`, braces escaped. */
function literal(s: string): string {
  return JSON.stringify(s).slice(1, -1).replace(/\{/g, '\\u007b');
}

/** Events written the guide's way often name their order only in data.order_id. */
function orderIdOf(event: Record<string, unknown>): string | null {
  const data = event.data;
  const id = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).order_id : undefined;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? `order_id ${id}` : null;
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').slice(0, 200);
}
