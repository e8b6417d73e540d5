// Hostile input for the property tests (test/core/hostile-*.test.ts): fast-check arbitraries for text that mixes
// binary, control characters, lone surrogates, HTML/script and prototype keys; JSON text built by hand (so keys like
// `__proto__` stay own keys, as JSON.parse makes them); event-shaped JSON with hostile values in every field; invalid
// UTF-8 buffers; deep nesting; and a prototype-pollution check.
import fc from 'fast-check';

export const NUM_RUNS = 10_000;

/** Script and markup that must never run or render as markup anywhere. */
export const SCRIPTS = [
  '<script>globalThis.__pwned=1</script>',
  '"><img src=x onerror="globalThis.__pwned=1">',
  "'><svg onload=alert(1)>",
  '</textarea></script><script>alert(1)</script>',
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
  '{{constructor.constructor("alert(1)")()}}',
  '${globalThis.__pwned=1}',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<style>*{display:none}</style>',
  '&lt;script&gt;',
  '<!--',
  ']]>',
];

/** Keys that reach the prototype when assigned carelessly, and keys that look like methods. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'toJSON', 'then'];

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const c1OrBidi = fc.constantFrom('\u007f', '\u0085', '\u009b', '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\ufffd', '\x1b[2J', '\x1b]0;title\x07');
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Any text, weighted towards the nasty kinds. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(controlChar, c1OrBidi, loneSurrogate, fc.constantFrom('<', '>', '"', "'", '&', '\\', '/', '`')), maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SCRIPTS, ...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SCRIPTS), fc.string({ maxLength: 10 })).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.constant('') },
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom('event_type', 'data', 'entity_id', 'user_id', 'metadata', 'event_id', 'timestamp') },
);

const numberText = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '0.0', '100.0', '123456789012345678901234567890', '9007199254740993', '1E5', '-1.5e-7'),
);

/** Well-formed JSON text with hostile keys (own `__proto__` keys included) and values, nested up to `depth`. */
export const hostileJsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString.map((s) => JSON.stringify(s)),
    numberText,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 5 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** JSON text of an object shaped like an event, with a hostile value (or none) in every envelope field. */
export const hostileEventText: fc.Arbitrary<string> = fc.record({
  fields: fc.subarray(['event_id', 'event_type', 'timestamp', 'version', 'entity_id', 'user_id', 'correlation_id', 'causation_id', 'data', 'metadata', '__proto__', 'constructor']),
  values: fc.array(fc.oneof(hostileJsonText, hostileString.map((s) => JSON.stringify(s))), { minLength: 12, maxLength: 12 }),
  extra: fc.array(fc.tuple(hostileKey, hostileJsonText), { maxLength: 3 }),
}).map(({ fields, values, extra }) => {
  const pairs = fields.map((f, i) => `${JSON.stringify(f)}:${values[i]}`);
  for (const [k, v] of extra) pairs.push(`${JSON.stringify(k)}:${v}`);
  return `{${pairs.join(',')}}`;
});

/** Anything a wire could carry: hostile JSON, broken JSON, plain hostile text. */
export const hostilePayload: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileEventText },
  { weight: 2, arbitrary: hostileJsonText },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileEventText.chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n))) },
);

/** Random bytes: mostly invalid UTF-8. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('{"event_type":"\xff\xfe"}', 'latin1')),
);

/** `levels` of nesting of each kind: arrays, objects, and an object path ending in a prototype key. */
export function deepNesting(levels: number): string[] {
  return [
    '['.repeat(levels) + ']'.repeat(levels),
    '{"a":'.repeat(levels) + '1' + '}'.repeat(levels),
    `{"event_type":"deep","data":${'{"__proto__":'.repeat(levels)}{"polluted":true}${'}'.repeat(levels)}}`,
    '['.repeat(levels), // unterminated
  ];
}

/** About `bytes` of event JSON with one huge string field; and the same size of raw bytes as text. */
export function hugePayloads(bytes: number): string[] {
  const blob = 'x<script>alert(1)</script>'.repeat(Math.ceil(bytes / 26)).slice(0, bytes);
  const random = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) random[i] = (i * 2654435761) >>> 24;
  return [
    JSON.stringify({ event_type: 'huge', entity_id: 'e-1', data: { blob } }),
    random.toString('utf8'),
    `{"event_type":"huge_array","data":{"items":[${'1,'.repeat(bytes / 2 - 1)}1]}}`,
  ];
}

/** Snapshot of Object.prototype (and friends) to compare after the properties ran. */
export function prototypeSnapshot(): string {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(',');
  return [names(Object.prototype), names(Array.prototype), names(Function.prototype), names(String.prototype)].join('|');
}

export function assertNoPollution(before: string): void {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || probe.__pwned !== undefined || (globalThis as Record<string, unknown>).__pwned !== undefined) {
    throw new Error('Object.prototype was polluted');
  }
  if (prototypeSnapshot() !== before) throw new Error('a built-in prototype gained or lost properties');
}
