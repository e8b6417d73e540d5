// Contracts in the core: AsyncAPI 3.0 and plain JSON Schema files read with line numbers, events told apart by type
// and version and checked with the rule they broke located in the file; hostile documents and payloads end in
// problems or issues, never in a throw or a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createContractSet, LiveContractChecker, lintContract, loadContract, type ContractSet } from '../../src/core/index';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'contracts', 'asyncapi.yaml');
const TEXT = readFileSync(FIXTURE, 'utf8');
const lineOf = (needle: string, from = 0) => TEXT.slice(0, TEXT.indexOf(needle, from)).split('\n').length;

async function setOf(text: string, file = 'c.yaml'): Promise<ContractSet> {
  return createContractSet([await loadContract(file, text)]);
}

const order = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  event_type: 'order_created', event_id: 'e1', timestamp: '2026-12-01T10:00:00Z', version: '1.0',
  data: { total_price: 5, status: 'pending', items: [{ sku: 'A-1', quantity: 1 }], ...data }, ...over,
});

describe('contracts: AsyncAPI 3.0', () => {
  it('reads channels, kinds, groups, event types, versions and examples without problems', async () => {
    const c = await loadContract(FIXTURE, TEXT);
    assert.deepEqual(c.problems, []);
    assert.equal(c.title, 'Shop events');
    const byKey = Object.fromEntries(c.channels.map((ch) => [ch.key, ch]));
    assert.equal(byKey.orders!.address, 'ecommerce_events');
    assert.equal(byKey.userEvents!.address, 'user.*');
    assert.deepEqual([byKey.store!.kind, byKey.store!.groups], ['stream', ['billing', 'shipping']]);
    assert.deepEqual(byKey.orders!.messages.map((m) => [m.eventType, m.versions]), [['order_created', ['1.0']], ['order_paid', []]]);
    assert.deepEqual(byKey.store!.messages.map((m) => [m.eventType, m.versions]), [['order_created', ['1.0']], ['order_created', ['2.0']]]);
    assert.equal(byKey.userEvents!.messages[0]!.eventType, 'user_registered');
    assert.equal(byKey.orders!.messages[0]!.examples.length, 1);
  });

  it('passes a conforming event and places each violation on the event and on the rule in the file', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const target = { kind: 'channel' as const, name: 'ecommerce_events' };
    assert.deepEqual(set.check(target, order()).issues, []);
    const r = set.check(target, order({}, { total_price: 0, status: 'lost', items: [{ sku: 'bad sku', quantity: 1 }, { quantity: 0 }] }));
    assert.equal(r.covered, true);
    assert.equal(r.message?.eventType, 'order_created');
    const got = r.issues.map((i) => [i.path.join('.'), i.code, i.schema?.line]);
    assert.deepEqual(got.sort(), [
      ['data.items.0.sku', 'invalid_format', lineOf('pattern:')],
      ['data.items.1.quantity', 'too_small', lineOf('minimum: 1')],
      ['data.items.1.sku', 'missing', lineOf('required: [sku, quantity]')],
      ['data.status', 'invalid_value', lineOf('status: { enum')],
      ['data.total_price', 'too_small', lineOf('exclusiveMinimum')],
    ].sort());
    const price = r.issues.find((i) => i.path.join('.') === 'data.total_price')!;
    assert.equal(price.schema?.file, FIXTURE);
    assert.equal(price.schema?.column, TEXT.split('\n')[lineOf('exclusiveMinimum') - 1]!.indexOf('exclusiveMinimum') + 1);
    assert.match(r.issues.find((i) => i.path.join('.') === 'data.status')!.message, /must be one of "pending", "paid", "shipped"/);
  });

  it('warmUp compiles the checks a message per turn of the event loop (traffic interleaves), and stops when told', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const messages = set.contracts.flatMap((c) => c.channels.flatMap((ch) => ch.messages)).length;
    assert.ok(messages >= 4, `the fixture has ${messages} messages`);
    let turns = 0;
    let counting = true;
    const tick = () => { if (counting) { turns++; setImmediate(tick); } };
    setImmediate(tick);
    await set.warmUp();
    counting = false;
    assert.ok(turns >= messages - 1, `${turns} turns of the loop while ${messages} messages were compiled`);
    assert.deepEqual(set.check({ kind: 'channel', name: 'ecommerce_events' }, order()).issues, []);
    let asked = 0;
    await set.warmUp(() => ++asked > 1);
    assert.equal(asked, 2, 'stopped after one message');
  });

  it('a message two channels name is bundled once and checked alike on both, each violation on its own target', async () => {
    const c = await loadContract(FIXTURE, TEXT);
    const messageOf = (key: string) => c.channels.find((ch) => ch.key === key)!.messages.find((m) => m.key === 'OrderCreated')!;
    assert.ok(messageOf('orders').payload, 'the message has a payload schema');
    assert.equal(messageOf('orders').payload, messageOf('store').payload, 'one bundle for both channels');
    const set = await createContractSet([c]);
    const bad = order({}, { total_price: 0 });
    const onChannel = set.check({ kind: 'channel', name: 'ecommerce_events' }, bad);
    const onStream = set.check({ kind: 'stream', name: 'event_store' }, bad);
    assert.equal(onChannel.channel?.key, 'orders');
    assert.equal(onStream.channel?.key, 'store');
    const rows = (r: typeof onChannel) => r.issues.map((i) => [i.path.join('.'), i.code, i.schema?.line]);
    assert.deepEqual(rows(onStream), rows(onChannel));
    assert.deepEqual(rows(onChannel), [['data.total_price', 'too_small', lineOf('exclusiveMinimum')]]);
  });

  it('tells unknown event types, missing types and unknown versions apart; a versioned contract picks the version', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const ch = { kind: 'channel' as const, name: 'ecommerce_events' };
    const unknown = set.check(ch, order({ event_type: 'order_lost' }));
    assert.deepEqual(unknown.issues.map((i) => [i.path, i.code]), [[['event_type'], 'unknown_event_type']]);
    assert.match(unknown.issues[0]!.message, /order_lost.*not in the contract.*order_created, order_paid/);
    assert.equal(set.check(ch, { data: {} }).issues[0]!.code, 'missing');
    const v2 = set.check(ch, order({ version: '2.0' }));
    assert.deepEqual(v2.issues.map((i) => i.code), ['unknown_version']);
    const stream = { kind: 'stream' as const, name: 'event_store' };
    assert.deepEqual(set.check(stream, order({ version: '2.0', data: { total_cents: 500 } })).issues, []);
    const bad = set.check(stream, order({ version: '2.0', data: { total_cents: -1 } }));
    assert.deepEqual(bad.issues.map((i) => [i.path.join('.'), i.code]), [['data.total_cents', 'too_small']]);
    assert.equal(bad.message?.versions[0], '2.0');
    assert.equal(set.check(stream, order()).message?.versions[0], '1.0', 'no version field means 1.0');
  });

  it('matches glob addresses with the Redis glob engine, and only for the channel kind the contract names', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const ok = set.check({ kind: 'channel', name: 'user.42' }, { event_type: 'user_registered', user_id: '9b2f7c1e-7f4e-4b53-9d55-0b8f4c6f0a11' });
    assert.deepEqual([ok.covered, ok.issues], [true, []]);
    const bad = set.check({ kind: 'channel', name: 'user.42' }, { event_type: 'user_registered', user_id: 'nope' });
    assert.deepEqual(bad.issues.map((i) => i.code), ['invalid_format']);
    assert.equal(set.check({ kind: 'channel', name: 'users' }, {}).covered, false);
    assert.equal(set.check({ kind: 'channel', name: 'event_store' }, order()).covered, false, 'event_store is a stream in the contract');
    assert.equal(set.check({ kind: 'shard', name: 'ecommerce_events' }, order()).covered, false);
  });

  it('reports text that is not JSON on a contract channel', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const r = set.checkText({ kind: 'channel', name: 'ecommerce_events' }, '{"event_type": ');
    assert.deepEqual(r.issues.map((i) => i.code), ['not_object']);
  });

  it('binds a plain JSON Schema file to a channel glob and an event type', async () => {
    const schema = JSON.stringify({ type: 'object', required: ['data'], properties: { data: { type: 'object', properties: { n: { type: 'integer' } } } } }, null, 2);
    const c = await loadContract('n.schema.json', schema, { channel: 'metrics.*', eventType: 'tick' });
    const set = await createContractSet([c]);
    const t = { kind: 'channel' as const, name: 'metrics.cpu' };
    assert.deepEqual(set.check(t, { event_type: 'tick', data: { n: 1 } }).issues, []);
    const r = set.check(t, { event_type: 'tick', data: { n: 1.5 } });
    assert.deepEqual(r.issues.map((i) => [i.path.join('.'), i.code, i.schema?.line]), [['data.n', 'invalid_type', 2 + schema.split('\n').slice(2).findIndex((l) => l.includes('"type": "integer"')) + 1]]);
    assert.equal(set.check(t, { event_type: 'tock' }).issues[0]!.code, 'unknown_event_type');
    const any = await createContractSet([await loadContract('a.json', '{"required":["x"]}', { channel: 'a' })]);
    assert.equal(any.check({ kind: 'channel', name: 'a' }, { event_type: 'whatever' }).issues[0]!.code, 'missing');
  });
});

describe('contracts: lint and hostile documents', () => {
  const doc = (payload: string, extra = '') => `asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  c:\n    address: c\n    messages:\n      m:\n        payload: ${payload}\n${extra}`;

  it('malformed YAML gives problems with line and column, not a throw', async () => {
    const problems = await lintContract('bad.yaml', 'asyncapi: 3.0.0\nchannels:\n  c: {address: [unclosed\n  d: x\n');
    assert.ok(problems.length >= 1);
    assert.equal(problems[0]!.severity, 'error');
    assert.ok(problems[0]!.line >= 3, JSON.stringify(problems[0]));
    assert.match((await lintContract('v2.yaml', 'asyncapi: 2.6.0\nchannels: {}\n'))[0]!.message, /AsyncAPI 2\.6\.0 is not read/);
    assert.match((await lintContract('x.yaml', doc('{type: object}', "    x-ucore: {kind: queue}\n").replace('      m:\n        payload: {type: object}\n', '      m:\n        payload: {type: object}\n')))[0]?.message ?? '', /./);
  });

  it('x-ucore errors point at the field', async () => {
    const text = 'asyncapi: 3.0.0\nchannels:\n  s:\n    address: s\n    x-ucore: {kind: queue}\n';
    const [p] = await lintContract('x.yaml', text);
    assert.equal(p!.line, 5);
    assert.match(p!.message, /x-ucore: kind/);
  });

  it('$ref cycles compile as recursive schemas and check deep payloads without a throw', async () => {
    const text = doc("{$ref: '#/components/schemas/Node'}", "components:\n  schemas:\n    Node:\n      type: object\n      properties:\n        v: {type: integer}\n        next: {$ref: '#/components/schemas/Node'}\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n");
    const set = await setOf(text);
    const t = { kind: 'channel' as const, name: 'c' };
    let deep: Record<string, unknown> = { v: 'x' };
    for (let i = 0; i < 50; i++) deep = { v: i, next: deep };
    assert.deepEqual(set.check(t, deep).issues.map((i) => [i.code, i.path.length]), [['invalid_type', 51]]);
    let deeper: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 100_000; i++) deeper = { next: deeper };
    const r = set.check(t, deeper);
    assert.ok(r.issues.length === 0 || r.issues[0]!.code === 'check_failed');
    const cyc = await setOf(doc("{$ref: '#/components/schemas/A'}", "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"));
    assert.doesNotThrow(() => cyc.check(t, {}));
  });

  it('remote $refs are never fetched: reported, and that part accepts anything', async () => {
    const text = doc("{type: object, properties: {a: {$ref: 'https://example.invalid/a.json'}, b: {$ref: '#/nowhere'}}}");
    const problems = await lintContract('r.yaml', text);
    assert.deepEqual(problems.map((p) => [p.severity, p.line]), [['warning', 8], ['error', 8]]);
    assert.match(problems[0]!.message, /remote \$ref .* is not fetched/);
    const set = await setOf(text);
    assert.deepEqual(set.check({ kind: 'channel', name: 'c' }, { a: 1, b: 2 }).issues, []);
  });

  it('backtracking patterns are reported and never run; huge enums compile and check', async () => {
    const text = doc("{type: object, properties: {s: {type: string, pattern: '^(a+)+$'}, k: {type: object, patternProperties: {'(x+)+y': {type: string}}}, e: {enum: [" + Array.from({ length: 20_000 }, (_, i) => `v${i}`).join(', ') + ']}}}');
    const problems = await lintContract('re.yaml', text);
    assert.deepEqual(problems.map((p) => p.message.replace(/ .*/, '')), ['pattern', 'patternProperties']);
    const set = await setOf(text);
    const started = performance.now();
    const r = set.check({ kind: 'channel', name: 'c' }, { s: `${'a'.repeat(50_000)}!`, k: { [`${'x'.repeat(40)}`]: 1 }, e: 'v19999' });
    assert.deepEqual(r.issues, []);
    assert.ok(performance.now() - started < 1000, 'the pattern was not run');
    assert.equal(set.check({ kind: 'channel', name: 'c' }, { e: 'nope' }).issues[0]!.code, 'invalid_value');
  });

  it('refuses documents that are too deep, too large or alias bombs', async () => {
    const deepFlow = `asyncapi: 3.0.0\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    assert.match((await lintContract('d.yaml', deepFlow))[0]!.message, /nested deeper/);
    let block = 'asyncapi: 3.0.0\nx:\n';
    for (let i = 1; i < 300; i++) block += `${' '.repeat(i)}k:\n`;
    assert.match((await lintContract('b.yaml', block))[0]!.message, /nested/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const started = performance.now();
    const problems = await lintContract('bomb.yaml', `asyncapi: 3.0.0\n${bomb}\n`);
    assert.ok(problems.some((p) => p.severity === 'error'), JSON.stringify(problems));
    assert.ok(performance.now() - started < 2000);
    assert.match((await lintContract('big.yaml', `asyncapi: 3.0.0\nx: "${'a'.repeat(5 * 1024 * 1024)}"\n`))[0]!.message, /larger than/);
  });

  it('random documents never throw or hang (fast-check)', async () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null),
        fc.constantFrom('#/components/schemas/A', '#/channels', 'http://x/y', '#/', '#/%ZZ'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.constantFrom('$ref', 'type', 'properties', 'items', 'allOf', 'pattern', 'enum', 'const', 'payload', 'messages', 'address', 'x-ucore', 'schemaFormat', 'schema', 'event_type', 'version', 'required', '__proto__', 'A', 'c'), tie('node'), { maxKeys: 5 })),
    })).node;
    const docArb = fc.record({ asyncapi: fc.constant('3.0.0'), channels: value, components: fc.record({ schemas: value, messages: value }) });
    await fc.assert(fc.asyncProperty(docArb, fc.jsonValue(), async (d, payload) => {
      const text = JSON.stringify(d);
      await lintContract('f.json', text);
      const set = await setOf(text, 'f.json');
      for (const c of set.contracts) for (const ch of c.channels) set.check({ kind: 'channel', name: ch.address }, payload);
      set.check({ kind: 'channel', name: 'c' }, payload);
    }), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => { await lintContract('s.yaml', text); }), { numRuns: 300 });
  });

  it('random payloads against the fixture never throw, and every issue has a path and a location (fast-check)', async () => {
    const set = await setOf(TEXT, FIXTURE);
    await fc.assert(fc.property(fc.jsonValue(), fc.constantFrom('ecommerce_events', 'user.1', 'event_store'), (payload, name) => {
      const r = set.check({ kind: name === 'event_store' ? 'stream' : 'channel', name }, payload);
      for (const i of r.issues) { assert.ok(Array.isArray(i.path)); assert.ok(i.schema && i.schema.line >= 1); }
    }), { numRuns: 2000 });
  });
});

describe('contracts: live checker', () => {
  it('checks every event up to the rate, samples above it with the share reported, and keeps bounded lists', async () => {
    const set = await setOf(TEXT, FIXTURE);
    let now = 1_000_000;
    const live = new LiveContractChecker(set, { maxChecksPerSecond: 100, maxCheckMsPerSecond: Number.POSITIVE_INFINITY, maxViolations: 10, now: () => now });
    const t = { kind: 'channel' as const, name: 'ecommerce_events' };
    assert.equal(live.offer({ kind: 'channel', name: 'elsewhere' }, '{}'), undefined);
    for (let i = 0; i < 100; i++) live.offer(t, JSON.stringify(order({ event_id: `e${i}` }, { total_price: i % 2 ? 1 : -1 })));
    let s = live.snapshot();
    assert.deepEqual([s.covered, s.checked, s.violating, s.sampledShare], [100, 100, 50, 1]);
    assert.equal(s.violations.length, 10);
    const last = s.violations.at(-1)!;
    assert.deepEqual(last, { seq: 50, time: now, kind: 'channel', channel: 'ecommerce_events', eventType: 'order_created', eventId: 'e98', entryId: undefined, pointer: '/data/total_price', path: ['data', 'total_price'], code: 'too_small', message: 'must be > 0', schema: last.schema, payload: last.payload, payloadTruncated: false });
    assert.equal(JSON.parse(last.payload!).event_id, 'e98');
    assert.equal(s.violations.at(-1)!.schema?.line, lineOf('exclusiveMinimum'));
    for (let i = 0; i < 300; i++) live.offer(t, JSON.stringify(order())); // over the budget in the same second
    now += 1000; // the next second: 400 seen last second → one in four
    for (let i = 0; i < 400; i++) live.offer(t, JSON.stringify(order()));
    s = live.snapshot();
    assert.equal(s.covered, 800);
    assert.equal(s.checked, 200);
    assert.equal(s.sampledShare, 0.25);
    assert.deepEqual(s.counts.map((c) => [c.channel, c.eventType, c.checked, c.violating]), [['ecommerce_events', 'order_created', 200, 50]]);
  });
});
