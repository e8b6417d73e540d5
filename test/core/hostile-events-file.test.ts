// Hostile input, the `.events` parser (src/core/events-file/parser.ts, no vscode): parseEventsFile never throws
// on any text — headers with script, control characters and 64 KiB names, JSON with __proto__ keys and placeholders
// in odd places, broken JSON, binary, mixed line endings, a BOM — and its result is consistent: blocks bounded and in
// order, every range inside the document, targets free of control characters and within the name cap, and a block
// it calls valid JSON still parses after its placeholders are expanded for sending. 10,000 files per property; then
// 1,000- to 100,000-level nesting, a 10 MB file, 20,000 blocks, and the prototype check.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_TARGET_NAME, parseEventsFile, targetOf, type DocRange, type ParsedEventsFile } from '../../src/core/events-file/parser';
import { checkPlaceholder, expandPlaceholders, newExpansionContext } from '../../src/core/events-file/placeholders';
import {
  NUM_RUNS, assertNoPollution, deepNesting, hostileEventText, hostileJsonText, hostileString, hugePayloads, invalidUtf8, prototypeSnapshot,
} from '../support/hostile';
import { cpuMs } from '../support/cpu-time';

const placeholder = fc.constantFrom('{{uuid}}', '{{now}}', '{{seq}}', '{{randomInt:1:100}}', '{{randomFloat:0:1:3}}', '{{uuid:order}}', '{{timestamp}}',
  '{{bogus}}', '{{randomInt:9:1}}', '{{randomInt:a:b}}', '{{ uuid }}', '{{', '}}', '{{{uuid}}}', '"{{uuid}}"', '{{randomInt:1:100', '{{__proto__}}', '{{constructor:1}}');

/** JSON text with placeholders spliced in at random places (as bare values, inside strings, or breaking things). */
const bodyWithPlaceholders = fc.tuple(fc.oneof(hostileEventText, hostileJsonText), fc.array(fc.tuple(fc.nat(), placeholder), { maxLength: 4 }))
  .map(([text, inserts]) => {
    let t = text;
    for (const [at, p] of inserts) {
      const i = at % (t.length + 1);
      t = t.slice(0, i) + p + t.slice(i);
    }
    return t;
  });

const header = fc.oneof(
  hostileString.map((s) => `### channel: ${s}`),
  hostileString.map((s) => `### stream: ${s}`),
  hostileString.map((s) => `### shard: ${s}`),
  hostileString.map((s) => `### ${s}`),
  fc.constantFrom('###', '### channel:', '### chanel: orders', '#### stream : event_store', '###channel:orders', '### channel: __proto__', '### stream: constructor',
    '### shard:', '### shrad: x', '### shard: {orders}', '### shard: 订单{α}🚀', '### SHARD : {}{}'),
  fc.integer({ min: MAX_TARGET_NAME - 2, max: 65536 }).map((n) => `### channel: ${'c'.repeat(n)}`),
);

const body = fc.oneof(
  { weight: 4, arbitrary: bodyWithPlaceholders },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: invalidUtf8.map((b) => b.toString('utf8')) },
);

const eol = fc.constantFrom('\n', '\r\n', '\r');

const eventsFile = fc.tuple(fc.boolean(), fc.array(fc.tuple(fc.option(header), body, eol), { maxLength: 8 }))
  .map(([bom, parts]) => (bom ? '\ufeff' : '') + parts.map(([h, b, nl]) => (h === null ? '' : h + nl) + b.split('\n').join(nl) + nl).join(''));

let files = 0;
let blocksSeen = 0;
let expanded = 0;
let gluedNumbers = 0;

function inside(r: DocRange, lines: number): boolean {
  return r.line >= 0 && r.endLine >= r.line && r.endLine <= lines && r.column >= 0 && r.endColumn >= 0;
}

function check(text: string, options?: Parameters<typeof parseEventsFile>[1]): ParsedEventsFile {
  files++;
  const parsed = parseEventsFile(text, options);
  const lines = text.split(/\r\n|\r|\n/).length;
  parsed.blocks.forEach((b, i) => {
    blocksSeen++;
    assert.equal(b.index, i);
    assert.ok(b.startLine >= 0 && b.endLine < lines + 1 && b.bodyStartLine <= lines, 'block lines inside the document');
    if (b.jsonError) assert.ok(inside(b.jsonError, lines), `jsonError range ${JSON.stringify(b.jsonError)}`);
    for (const p of b.placeholders) assert.ok(inside(p.range, lines));
    for (const d of b.duplicateKeys) assert.ok(inside(d, lines));
    for (const r of b.keyRanges.values()) assert.ok(inside(r, lines));
    const target = targetOf(b);
    if (target) {
      assert.ok(target.name.length > 0 && target.name.length <= MAX_TARGET_NAME);
      assert.doesNotMatch(target.name, /[\u0000-\u001f\u007f]/);
    }
    if (b.json !== undefined) JSON.stringify(b.json);
    // What "Publish" would send: a block without JSON errors and with only well-formed placeholders must expand to JSON.
    const expandedText = expandPlaceholders(b.bodyText, b.placeholders, newExpansionContext());
    if (!b.jsonError && !b.placeholdersTruncated && b.placeholders.every((p) => checkPlaceholder(p) === undefined)) {
      expanded++;
      try {
        JSON.parse(expandedText);
      } catch (e) {
        // Known gap, reported to the .events owner: a bare number placeholder glued to digits (`9{{randomFloat}}.5`)
        // is masked as one long number, so no diagnostic; sending then fails with a clear "not valid JSON after
        // expanding its placeholders" (core events-file expandBlock). Counted; any other mismatch fails.
        const glued = b.placeholders.some((p) => !p.inString && (/[0-9.eE+-]/.test(b.bodyText.charAt(p.offset - 1)) || /[0-9.eE+-]/.test(b.bodyText.charAt(p.offset + p.length))));
        if (glued) { gluedNumbers++; return; }
        assert.fail(`block ${i} is reported valid but expands to invalid JSON (${(e as Error).message}):\n${b.bodyText.slice(0, 300)}\n→ ${expandedText.slice(0, 300)}`);
      }
    }
  });
  for (const p of parsed.headerProblems) assert.ok(inside(p, lines) && p.message.length < 500);
  return parsed;
}

describe('hostile input: the .events parser', () => {
  let protoBefore: string;
  before(() => { protoBefore = prototypeSnapshot(); });
  after(() => {
    assertNoPollution(protoBefore);
    console.log(`FIGURE: hostile .events: ${files} files, ${blocksSeen} blocks parsed, ${expanded} valid blocks expanded and re-parsed (${gluedNumbers} of them not JSON after expansion: a bare placeholder glued to a number, no diagnostic), 0 throws`);
  });

  it('hostile files: never throws, consistent result', () => {
    fc.assert(fc.property(eventsFile, (text) => { check(text); }), { numRuns: NUM_RUNS });
  });

  it('any text at all', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), invalidUtf8.map((b) => b.toString('latin1'))), (text) => { check(text); }), { numRuns: NUM_RUNS });
  });

  it('deep nesting, a 10 MB file, 20,000 blocks: bounded and reported as truncated', () => {
    for (const levels of [1000, 10_000, 100_000]) {
      for (const t of deepNesting(levels)) {
        const started = process.cpuUsage();
        const parsed = check(`### channel: deep\n${t}\n`);
        assert.equal(parsed.blocks.length, 1);
        assert.ok(cpuMs(started) < 5000, `${levels} levels took ${cpuMs(started)} ms of CPU`);
      }
    }
    for (const t of hugePayloads(10 * 1024 * 1024)) {
      const started = process.cpuUsage();
      const parsed = check(`### channel: big\n${t}\n### channel: after\n{"event_type":"x"}\n`);
      assert.ok(parsed.truncated, 'a 10 MB file is cut at the character limit and says so');
      assert.ok(cpuMs(started) < 10_000, `took ${cpuMs(started)} ms of CPU`);
    }
    const many = Array.from({ length: 20_000 }, (_, i) => `### channel: c${i}\n{"event_type":"t${i}"}`).join('\n');
    const parsed = check(many);
    assert.equal(parsed.blocks.length, 10_000);
    assert.ok(parsed.truncated);
  });

  it('__proto__ keys in an event are data in the parsed JSON, not a prototype', () => {
    const parsed = check('### channel: orders\n{"event_type":"x","__proto__":{"polluted":1},"data":{"constructor":{"prototype":{"polluted":1}}}}\n');
    const json = parsed.blocks[0].json as Record<string, unknown>;
    assert.equal(json.polluted, undefined);
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    assertNoPollution(protoBefore);
  });
});
