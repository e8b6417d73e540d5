// The `.events` format without an editor: blocks, headers, defaults, JSON error positions, placeholders, envelope and
// schema problems, and hostile input (deep nesting, huge blocks, binary, __proto__) that must never throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ecommerceRegistry } from '../../src/core/domain/ecommerce';
import { checkEvent, checkFile, describeEventIssue, type EventsProblem } from '../../src/core/events-file/check';
import { scanJson } from '../../src/core/events-file/json-scan';
import { blockAtLine, MAX_BLOCKS, MAX_TARGET_NAME, parseEventsFile, targetOf } from '../../src/core/events-file/parser';
import { expandPlaceholders, findPlaceholders, newExpansionContext } from '../../src/core/events-file/placeholders';

const registry = ecommerceRegistry();
const REPO = join(__dirname, '..', '..', '..');

const GOOD = [
  '### channel: ecommerce_events',
  '{ "event_type": "order_created", "data": { "order_id": 1, "items": [{ "product_id": 2, "quantity": 1 }], "total_price": 9.5 } }',
  '',
  '### stream: event_store',
  '{',
  '  "event_type": "user_registered",',
  '  "data": { "email": "a@example.com" }',
  '}',
  '',
  '###    Channel :   user_events   ',
  '{"event_type": "user_login"}',
].join('\n');

const only = (problems: EventsProblem[], code: EventsProblem['code']) => problems.filter((p) => p.code === code);

describe('.events parser: blocks and headers', () => {
  it('splits a good file into blocks with their targets, lines and JSON', () => {
    const f = parseEventsFile(GOOD);
    assert.equal(f.blocks.length, 3);
    const [a, b, c] = f.blocks;
    assert.deepEqual(a.target, { kind: 'channel', name: 'ecommerce_events' });
    assert.deepEqual(b.target, { kind: 'stream', name: 'event_store' });
    assert.deepEqual(c.target, { kind: 'channel', name: 'user_events' }, 'keyword case-insensitive, name trimmed');
    assert.deepEqual([a.headerLine, a.bodyStartLine, a.endLine], [0, 1, 1]);
    assert.deepEqual([b.headerLine, b.bodyStartLine, b.endLine], [3, 4, 7], 'endLine is the last non-blank line');
    assert.deepEqual([c.index, c.startLine], [2, 9]);
    assert.equal((b.json as { event_type: string }).event_type, 'user_registered');
    assert.equal(f.truncated, undefined);
    assert.deepEqual(checkFile(f, registry), []);
  });

  it('reads CRLF and lone CR files like LF files', () => {
    const lf = parseEventsFile(GOOD);
    for (const eol of ['\r\n', '\r']) {
      const f = parseEventsFile(GOOD.replace(/\n/g, eol));
      assert.deepEqual(f.blocks.map((b) => [b.startLine, b.bodyStartLine, b.endLine, b.bodyText]), lf.blocks.map((b) => [b.startLine, b.bodyStartLine, b.endLine, b.bodyText]));
      assert.ok(!f.blocks.some((b) => b.bodyText.includes('\r')));
      assert.deepEqual(checkFile(f, registry), []);
    }
    const broken = parseEventsFile('###\r\n{\r\n  "a": 1\r\n  "b": 2\r\n}\r\n');
    assert.deepEqual(pick(broken.blocks[0].jsonError), { line: 2, column: 7 }, 'error positions ignore the \\r');
  });

  it('ignores a byte order mark, and shifts line-0 columns by it', () => {
    const f = parseEventsFile(`\uFEFF${GOOD}`);
    assert.equal(f.blocks.length, 3);
    assert.deepEqual(f.blocks[0].target, { kind: 'channel', name: 'ecommerce_events' });
    const g = parseEventsFile('\uFEFF{"event_type": }');
    assert.equal(g.blocks[0].headerLine, -1);
    assert.deepEqual(pick(g.blocks[0].jsonError), { line: 0, column: 16 });
  });

  it('skips empty blocks, numbers the rest without gaps, and treats text before the first ### as a block', () => {
    const f = parseEventsFile('{"event_type":"a"}\n###\n\n   \n###\n### title only\n{"event_type":"b"}\n###\n');
    assert.deepEqual(f.blocks.map((b) => [b.index, b.headerLine, (b.json as { event_type: string }).event_type]), [[0, -1, 'a'], [1, 5, 'b']]);
    assert.equal(f.blocks[1].title, 'title only');
    assert.deepEqual(parseEventsFile('').blocks, []);
    assert.deepEqual(parseEventsFile('###\n###\n\n').blocks, []);
  });

  it('a target line with no event under it is the default of the following events, until the next one', () => {
    const f = parseEventsFile([
      '### channel: orders', '',
      '### first', '{"event_type":"x"}',
      '### stream: audit', '{"event_type":"y"}',
      '###', '{"event_type":"z"}',
      '### channel: other',
      '###', '{"event_type":"w"}',
    ].join('\n'));
    assert.deepEqual(f.blocks.map((b) => targetOf(b)?.name), ['orders', 'audit', 'orders', 'other']);
    assert.equal(f.blocks[1].target?.name, 'audit', "a block's own target wins");
    assert.equal(f.blocks[0].title, 'first');
    const none = parseEventsFile('{"event_type":"x"}');
    assert.equal(targetOf(none.blocks[0]), undefined);
    const w = only(checkFile(none, registry), 'target');
    assert.equal(w.length, 1);
    assert.equal(w[0].severity, 'warning');
    assert.match(w[0].message, /Publish will ask/);
  });

  it('a title applies only to the event directly below it', () => {
    const f = parseEventsFile('### about the file\n\n### channel: c\n{"event_type":"x"}\n### named\n### channel: d\n{"event_type":"y"}');
    assert.equal(f.blocks[0].title, undefined);
    assert.equal(f.blocks[1].title, 'named');
  });

  it('reports header mistakes: a target without a name, a misspelt keyword', () => {
    const f = parseEventsFile('### channel:\n{"event_type":"x"}\n### chanel: foo\n{"event_type":"y"}\n### stream:   \n');
    const h = only(checkFile(f, registry), 'header');
    assert.equal(h.length, 3);
    assert.equal(h[0].severity, 'error');
    assert.match(h[0].message, /needs a name/);
    assert.equal(h[1].severity, 'warning');
    assert.match(h[1].message, /did you mean "channel:"/);
    assert.deepEqual([h[1].line, h[1].column, h[1].endColumn], [2, 4, 10]);
    assert.equal(f.blocks[1].title, 'chanel: foo');
  });

  it('### shard: NAME names a shard channel: its own kind, a default like the others, header mistakes told', () => {
    const f = parseEventsFile([
      '### shard: order_updates', '{"event_type":"x"}',
      '###   SHARD :  inventory  ', '{"event_type":"y"}',
      '### shard: fallback', '',
      '###', '{"event_type":"z"}',
      '### channel: order_updates', '{"event_type":"w"}',
    ].join('\n'));
    assert.deepEqual(f.blocks.map((b) => targetOf(b)), [
      { kind: 'shard', name: 'order_updates' },
      { kind: 'shard', name: 'inventory' },
      { kind: 'shard', name: 'fallback' },
      { kind: 'channel', name: 'order_updates' },
    ], 'keyword case-insensitive, name trimmed; a shard line with no event is the default; a channel of the same name is another target');
    assert.deepEqual(f.headerProblems, []);
    assert.deepEqual(only(checkFile(f, registry), 'target'), [], 'a shard target is a target');

    const bad = parseEventsFile('### shard:\n{"event_type":"x"}\n### shrad: a\n{"event_type":"y"}\n### shards: b\n{"event_type":"z"}\n');
    const h = only(checkFile(bad, registry), 'header');
    assert.equal(h.length, 3, JSON.stringify(h));
    assert.equal(h[0].severity, 'error');
    assert.match(h[0].message, /"shard:" needs a name, e\.g\. ### shard: /);
    assert.equal(targetOf(bad.blocks[0]), undefined, 'no target from a header without a name');
    assert.match(h[1].message, /"shrad:" is read as a title; did you mean "shard:"\?/, 'a swap of two letters is one typo');
    assert.match(h[2].message, /did you mean "shard:"/);
    assert.equal(bad.blocks[1].title, 'shrad: a');
  });

  it('titles that only look like "shard:" are not flagged', () => {
    const f = parseEventsFile('### Short: a quick one\n{"event_type":"x"}\n### Stage: 2\n{"event_type":"y"}\n### Start: here\n{"event_type":"z"}\n');
    assert.deepEqual(f.headerProblems, []);
    assert.deepEqual(f.blocks.map((b) => b.title), ['Short: a quick one', 'Stage: 2', 'Start: here']);
  });

  it('hostile shard names: braces (hash tags), unicode and script are kept as written; control characters and 1 KiB+ refused', () => {
    const names = ['orders:{eu}', '{}', '{{uuid}}', '}{', '{a}{b}', '订单-{α}', '🚀{💥}', 'e\u0301', '\u202Eevil', '<script>alert(1)</script>', '__proto__', 'constructor', '"quoted"', 'a:b:c', '###'];
    for (const name of names) {
      const f = parseEventsFile(`### shard: ${name}\n{"event_type":"x"}`);
      assert.deepEqual(targetOf(f.blocks[0]), { kind: 'shard', name }, name);
      assert.deepEqual(f.headerProblems, [], name);
      assert.deepEqual(f.blocks[0].placeholders, [], 'placeholders in a header are not expanded');
    }
    const ctl = parseEventsFile('### shard: a\u0001b\n{"event_type":"x"}');
    assert.equal(targetOf(ctl.blocks[0]), undefined);
    assert.match(ctl.headerProblems[0].message, /the shard channel name contains control characters/);
    const long = parseEventsFile(`### shard: ${'{'.repeat(MAX_TARGET_NAME + 1)}\n{"event_type":"x"}`);
    assert.equal(targetOf(long.blocks[0]), undefined);
    assert.match(long.headerProblems[0].message, /the shard channel name is longer than 1024 characters/);
    assert.deepEqual([long.headerProblems[0].column, long.headerProblems[0].endColumn], [11, 11 + MAX_TARGET_NAME + 1], 'the error covers the name');
  });

  it('blockAtLine finds the event under the cursor', () => {
    const f = parseEventsFile(GOOD);
    assert.equal(blockAtLine(f, 0)?.index, 0);
    assert.equal(blockAtLine(f, 2)?.index, 0);
    assert.equal(blockAtLine(f, 6)?.index, 1);
    assert.equal(blockAtLine(f, 99)?.index, 2);
  });
});

describe('.events parser: JSON errors point at the right place', () => {
  const cases: Array<[string, string, { line: number; column: number }, RegExp]> = [
    ['missing comma', '###\n{\n  "a": 1\n  "b": 2\n}', { line: 2, column: 7 }, /missing ','/],
    ['trailing comma in object', '###\n{"a": 1,\n}', { line: 1, column: 7 }, /trailing comma/],
    ['trailing comma in array', '###\n{"a": [1, 2, ]}', { line: 1, column: 11 }, /trailing comma/],
    ['unterminated string', '###\n{"a": "abc\n}', { line: 1, column: 6 }, /unterminated string/],
    ['unexpected end', '###\n{"a": {"b": 1}\n\n', { line: 1, column: 13 }, /expected '}'.*opened on line 2/],
    ['single quotes', "###\n{'a': 1}", { line: 1, column: 1 }, /double quotes/],
    ['comment', '###\n{\n  // note\n  "a": 1}', { line: 2, column: 2 }, /comments are not allowed/],
    ['Python literal', '###\n{"a": True}', { line: 1, column: 6 }, /lowercase: true/],
    ['two events in one block', '###\n{"a": 1}\n{"b": 2}', { line: 2, column: 0 }, /separate events with a ### line/],
    ['unquoted key', '###\n{event_type: "x"}', { line: 1, column: 1 }, /property names need double quotes/],
    ['leading zero', '###\n{"a": 012}', { line: 1, column: 6 }, /cannot start with 0/],
    ['bad escape', '###\n{"a": "\\x"}', { line: 1, column: 7 }, /invalid escape/],
    ['mismatched bracket', '###\n{"a": [1}', { line: 1, column: 8 }, /does not match.*opened on line 2/],
    ['missing colon', '###\n{"a" 1}', { line: 1, column: 5 }, /expected ':'/],
  ];
  for (const [name, text, at, message] of cases) {
    it(name, () => {
      const b = parseEventsFile(text).blocks[0];
      assert.ok(b.jsonError, 'has an error');
      assert.deepEqual(pick(b.jsonError), at, b.jsonError.message);
      assert.match(b.jsonError.message, message);
      assert.equal(b.json, undefined);
      const problems = only(checkFile(parseEventsFile(text), registry), 'json');
      assert.equal(problems.length, 1);
      assert.equal(problems[0].severity, 'error');
    });
  }

  it('the checker agrees with JSON.parse on what is valid (property-based)', () => {
    const tokens = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '"b\\n"', '1', '-2.5e3', '0', 'true', 'null', ' ', '\n', '"', '01', '.5', "'x'", 'tru', '\\', '"\\u00e9"');
    fc.assert(fc.property(fc.array(tokens, { maxLength: 30 }), (parts) => {
      const s = parts.join('');
      let ok = true;
      try { JSON.parse(s); } catch { ok = false; }
      assert.equal(scanJson(s).error === undefined, ok, JSON.stringify(s));
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.json(), (s) => scanJson(s).error === undefined), { numRuns: 500 });
  });
});

describe('.events parser: placeholders', () => {
  it('bare placeholders check as values of their type; in strings they stay text', () => {
    const text = '### channel: c\n{"event_type": "order_created", "entity_id": "order-{{seq}}", "data": {"order_id": {{randomInt:1:9}}, "items": [], "total_price": {{randomFloat:1:500}}, "who": {{randomName}}, "id": {{uuid}}}}';
    const f = parseEventsFile(text);
    const b = f.blocks[0];
    assert.equal(b.jsonError, undefined);
    const json = b.json as { entity_id: string; data: Record<string, unknown> };
    assert.equal(json.entity_id, 'order-1');
    assert.equal(json.data.order_id, 1, 'the preview uses the smallest value');
    assert.equal(json.data.total_price, 1);
    assert.equal(typeof json.data.who, 'string');
    assert.equal(typeof json.data.id, 'string');
    assert.deepEqual(b.placeholders.map((p) => [p.name, p.inString]), [['seq', true], ['randomInt', false], ['randomFloat', false], ['randomName', false], ['uuid', false]]);
    assert.deepEqual(checkFile(f, registry), []);
  });

  it('a JSON error after a bare placeholder is still at its true column', () => {
    const b = parseEventsFile('###\n{"a": {{randomFloat:1:500}} "b": 1}').blocks[0];
    assert.deepEqual(pick(b.jsonError), { line: 1, column: 26 });
  });

  it('unknown placeholders and wrong arguments are errors at the placeholder', () => {
    const f = parseEventsFile('### channel: c\n{"event_type": "x",\n "a": {{nope}}, "b": "{{UUID}}", "c": {{randomInt:9:1}}, "d": {{now:1}}, "e": {{randomInt:x:2}}}');
    const p = only(checkFile(f, registry), 'placeholder');
    assert.deepEqual(p.map((x) => [x.line, x.column, x.endColumn]), [[2, 6, 14], [2, 22, 30], [2, 38, 55], [2, 62, 71], [2, 78, 95]]);
    assert.match(p[0].message, /unknown placeholder \{\{nope\}\}/);
    assert.match(p[1].message, /did you mean \{\{uuid\}\}/);
    assert.match(p[2].message, /minimum 9 is larger than the maximum 1/);
    assert.match(p[3].message, /takes no arguments/);
    assert.match(p[4].message, /must be numbers/);
    assert.equal(f.blocks[0].jsonError, undefined, 'the rest of the event is still checked');
  });

  it('expansion gives fresh values, shared labels, sequence numbers and escaped text', () => {
    const body = '{"a": "{{uuid}}", "b": {{uuid}}, "o1": "{{uuid:order}}", "o2": {{uuid:order}}, "n": {{seq}}, "t": {{timestamp}}, "now": "{{now}}", "r": {{randomInt:5:5}}, "f": {{randomFloat:0:1:4}}, "e": "{{randomEmail}}", "s": "x{{seq}}y"}';
    const { refs } = findPlaceholders(body);
    const ctx = newExpansionContext();
    ctx.seq = 7;
    const v = JSON.parse(expandPlaceholders(body, refs, ctx)) as Record<string, unknown>;
    assert.match(String(v.a), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(v.a, v.b);
    assert.equal(v.o1, v.o2, 'the same label gives the same id');
    assert.equal(v.n, 7);
    assert.equal(v.s, 'x7y');
    assert.ok(typeof v.t === 'number' && Math.abs(v.t - Date.now()) < 60_000);
    assert.ok(!Number.isNaN(Date.parse(String(v.now))));
    assert.equal(v.r, 5);
    assert.ok(typeof v.f === 'number' && v.f >= 0 && v.f <= 1);
    assert.match(String(v.e), /^[a-z]+\.[a-z]+\d+@example\.com$/);
    const again = JSON.parse(expandPlaceholders(body, refs, newExpansionContext())) as Record<string, unknown>;
    assert.notEqual(again.o1, v.o1, 'a new send gets new ids');
  });

  it('placeholder-like text that is not a placeholder is left alone', () => {
    const f = parseEventsFile('### channel: c\n{"event_type": "x", "template": "{{ not a placeholder }}", "braces": "{{}}", "esc": "\\"{{seq}}\\""}');
    assert.equal(f.blocks[0].jsonError, undefined);
    assert.deepEqual(f.blocks[0].placeholders.map((p) => [p.name, p.inString]), [['seq', true]]);
  });
});

describe('.events parser: envelope and schema problems', () => {
  it('event_type is required; event_id and timestamp may be left out', () => {
    assert.deepEqual(checkEvent({ event_type: 'x' }, registry), []);
    const missing = checkEvent({ data: {} }, registry);
    assert.equal(missing.length, 1);
    assert.match(missing[0].message, /event_type is required/);
    assert.match(checkEvent([1, 2], registry)[0].message, /must be a JSON object, not an array/);
  });

  it('issues come from the core as structure (path, code, message), no text parsed back', () => {
    const issues = checkEvent({ event_type: 'order_created', timestamp: 'soon', data: { order_id: 1, items: [{ product_id: 2, quantity: 0 }], total_price: 3 } }, registry);
    assert.deepEqual(issues.map((i) => [i.kind, i.path, i.code]), [
      ['envelope', ['timestamp'], 'invalid_format'],
      ['schema', ['data', 'items', 0, 'quantity'], 'too_small'],
    ]);
    assert.equal(issues[1].schema, 'order_created 1.0');
    assert.match(describeEventIssue(issues[1]), /^order_created 1\.0: data\.items\.0\.quantity: /);
    assert.doesNotMatch(issues[1].message, /data\.items/, 'the message is zod\'s own, the path is apart');
  });

  it('envelope errors point at their key', () => {
    const f = parseEventsFile('### channel: c\n{\n  "event_type": "x",\n  "timestamp": "yesterday",\n  "data": []\n}');
    const e = only(checkFile(f, registry), 'envelope');
    assert.deepEqual(e.map((p) => [p.line, p.column, p.endColumn]), [[3, 2, 13], [4, 2, 8]]);
    assert.match(e[0].message, /^timestamp: /);
  });

  it('schema errors from the registry point at the deepest key they name', () => {
    const text = [
      '### channel: ecommerce_events',
      '{',
      '  "event_type": "order_created",',
      '  "data": {',
      '    "order_id": 1,',
      '    "items": [{ "product_id": 2, "quantity": 0 }],',
      '    "total_price": -1',
      '  }',
      '}',
    ].join('\n');
    const s = only(checkFile(parseEventsFile(text), registry), 'schema');
    assert.equal(s.length, 2);
    assert.deepEqual([s[0].line, s[0].column, s[0].endColumn], [5, 33, 43], 'at "quantity"');
    assert.match(s[0].message, /^order_created 1\.0: data\.items\.0\.quantity/);
    assert.deepEqual([s[1].line, s[1].column], [6, 4], 'at "total_price"');
    const v = only(checkFile(parseEventsFile('### channel: c\n{"event_type": "order_created", "version": "9.0"}'), registry), 'schema');
    assert.equal(v.length, 1);
    assert.match(v[0].message, /has no version 9\.0/);
    assert.deepEqual([v[0].line, v[0].column], [1, 32], 'at "version"');
  });

  it('warns about duplicate keys (and not about a dotted key that looks like a path)', () => {
    const d = only(checkFile(parseEventsFile('### channel: c\n{"event_type": "x", "event_type": "y"}'), registry), 'duplicate-key');
    assert.equal(d.length, 1);
    assert.deepEqual([d[0].line, d[0].column], [1, 20]);
    assert.match(d[0].message, /duplicate key "event_type"/);
    const dotted = checkFile(parseEventsFile('### channel: c\n{"event_type": "x", "a.b": 1, "a": {"b": 2}, "items": [{"k": 1}, {"k": 2}]}'), registry);
    assert.deepEqual(only(dotted, 'duplicate-key'), []);
  });

  it('the example files have no problems', () => {
    for (const name of ['quick-start.events', 'ecommerce-flow.events']) {
      const f = parseEventsFile(readFileSync(join(REPO, 'examples', name), 'utf8'));
      assert.ok(f.blocks.length >= 3, name);
      assert.deepEqual(checkFile(f, registry), [], name);
      assert.ok(f.blocks.every((b) => targetOf(b)), `${name}: every event has a target`);
    }
    const flow = parseEventsFile(readFileSync(join(REPO, 'examples', 'ecommerce-flow.events'), 'utf8'));
    assert.ok(flow.blocks.some((b) => b.target?.kind === 'shard'), 'the flow example shows a shard channel');
  });
});

describe('.events parser: hostile input never throws', () => {
  it('1,000 levels of nesting parse; 100,000 levels stop with a clear error', () => {
    const deep = (n: number) => `### channel: c\n{"event_type": "x", "data": {"deep": ${'['.repeat(n)}${']'.repeat(n)}}}`;
    const ok = parseEventsFile(deep(1_000));
    assert.equal(ok.blocks[0].jsonError, undefined);
    assert.ok(ok.blocks[0].json);
    assert.deepEqual(checkFile(ok, registry), []);
    const t = Date.now();
    const bad = parseEventsFile(deep(100_000));
    assert.match(bad.blocks[0].jsonError?.message ?? '', /nested deeper than 2000 levels/);
    assert.ok(Date.now() - t < 2_000, 'fast');
    const unclosed = parseEventsFile(`###\n${'{"a":'.repeat(50_000)}`);
    assert.ok(unclosed.blocks[0].jsonError);
  });

  it('a 5 MB event parses within bounds', () => {
    const big = 'x'.repeat(5_000_000);
    const t = Date.now();
    const f = parseEventsFile(`### channel: c\n{"event_type": "big", "data": {"blob": "${big}"}}`);
    assert.equal(f.truncated, undefined);
    assert.equal((f.blocks[0].json as { data: { blob: string } }).data.blob.length, 5_000_000);
    assert.deepEqual(checkFile(f, registry), []);
    assert.ok(Date.now() - t < 5_000, `took ${Date.now() - t} ms`);
  });

  it('more than 5 MB of events, or more than 10,000 events: the rest is reported, not parsed', () => {
    const chunk = `###\n{"event_type": "x", "pad": "${'p'.repeat(1_000_000)}"}\n`;
    const f = parseEventsFile(chunk.repeat(7));
    assert.equal(f.blocks.length, 5);
    assert.ok(f.truncated);
    assert.equal(f.truncated.line, 10);
    assert.match(f.truncated.reason, /more than 5 MB/);
    const limit = only(checkFile(f, registry), 'limit');
    assert.equal(limit.length, 1);
    assert.equal(limit[0].line, 10);

    const many = parseEventsFile('### channel: c\n{"event_type":"x"}\n'.repeat(MAX_BLOCKS + 5));
    assert.equal(many.blocks.length, MAX_BLOCKS);
    assert.match(many.truncated?.reason ?? '', /more than 10,000 events/);
    assert.equal(many.truncated?.line, MAX_BLOCKS * 2);
  });

  it('binary garbage gives problems, not exceptions', () => {
    for (let k = 0; k < 50; k++) {
      const junk = randomBytes(2_000).toString('latin1');
      const f = parseEventsFile(junk);
      checkFile(f, registry);
      for (const b of f.blocks) assert.ok(b.json !== undefined || b.jsonError, 'each block is either parsed or has an error');
    }
    const nul = parseEventsFile('###\n{"event_type": "a\u0000b"}');
    assert.match(nul.blocks[0].jsonError?.message ?? '', /control character U\+0000 must be escaped/);
    const nbsp = parseEventsFile('###\n{\u00a0"a": 1}');
    assert.match(nbsp.blocks[0].jsonError?.message ?? '', /no-break space/);
  });

  it('any text at all: no throw (property-based)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
      const f = parseEventsFile(s);
      checkFile(f, registry);
    }), { numRuns: 2_000 });
    const pieces = fc.constantFrom('###', '### channel: c', '### stream:', '### shard: {x}', '### shard:', '\n', '\r\n', '{', '}', '"', '{{uuid}}', '{{', '}}', '{{randomInt:1:2}}', ':', ',', '"event_type"', '"x"', '1', '\\', '__proto__');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => {
      const f = parseEventsFile(parts.join(''));
      checkFile(f, registry);
    }), { numRuns: 2_000 });
  });

  it('__proto__ and constructor keys stay plain data', () => {
    const f = parseEventsFile('### channel: c\n{"event_type": "x", "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "data": {"__proto__": {"polluted": true}}}');
    const b = f.blocks[0];
    assert.equal(b.jsonError, undefined);
    const json = b.json as Record<string, unknown>;
    assert.ok(Object.prototype.hasOwnProperty.call(json, '__proto__'), 'an own property, not the prototype');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(checkFile(f, registry), []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

function pick(e: { line: number; column: number } | undefined): { line: number; column: number } | undefined {
  return e && { line: e.line, column: e.column };
}
