// Placeholders of `.events` files: `{{uuid}}`, `{{now}}`, `{{randomInt:1:100}}`, … They stay in the document and are
// expanded only when an event is sent, so every Publish gets fresh values. They may stand inside a JSON string
// ("id-{{seq}}") or as a bare value (`"total": {{randomFloat:1:500}}`): a bare one becomes a JSON value of its type.
// No vscode import: the parser, the diagnostics and the node tests use this module.
import { uuidv7 } from '../envelope/ids';

/** One placeholder occurrence in a block's text. */
export interface PlaceholderRef {
  /** Offset of `{{` in the text it was found in. */
  offset: number;
  /** Length from `{{` to `}}` inclusive. */
  length: number;
  name: string;
  args: string[];
  /** True inside a JSON string; false for a bare value. */
  inString: boolean;
}

/** Values shared by the events of one send (one Publish, or all events of one Publish All). */
export interface ExpansionContext {
  /** `{{seq}}`: 1 for the first event of a Publish All, 2 for the next… */
  seq: number;
  /** `{{uuid:label}}`: the same label gives the same id within one context. */
  readonly labels: Map<string, string>;
  /** Deterministic values (for checking the file, not for sending). */
  readonly preview?: boolean;
  /** Fixed time for previews; default the current time. */
  readonly now?: number;
}

export function newExpansionContext(options: { preview?: boolean; now?: number } = {}): ExpansionContext {
  return { seq: 1, labels: new Map(), ...options };
}

interface PlaceholderSpec {
  name: string;
  /** What a bare occurrence becomes: a JSON string or a number. */
  kind: 'string' | 'number';
  usage: string;
  detail: string;
  /** A message when the arguments are wrong. */
  checkArgs(args: string[]): string | undefined;
  value(args: string[], ctx: ExpansionContext): string | number;
}

const PREVIEW_UUID = '00000000-0000-7000-8000-000000000000';
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Frances', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Hedy'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Allen', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Lamarr'];

const noArgs = (name: string) => (args: string[]) => (args.length ? `{{${name}}} takes no arguments` : undefined);

function numericRange(name: string, integer: boolean) {
  return (args: string[]): string | undefined => {
    if (args.length === 0) return undefined;
    if (args.length !== 2 && !(args.length === 3 && !integer)) {
      return `{{${name}}} takes a minimum and a maximum: {{${name}:1:100}}${integer ? '' : ' (and optionally decimals: {{randomFloat:0:1:4}})'}`;
    }
    const [min, max] = [Number(args[0]), Number(args[1])];
    if (args[0].trim() === '' || args[1].trim() === '' || !Number.isFinite(min) || !Number.isFinite(max)) return `{{${name}}}: "${args[0]}" and "${args[1]}" must be numbers`;
    if (integer && (!Number.isSafeInteger(min) || !Number.isSafeInteger(max))) return `{{${name}}}: the bounds must be integers`;
    if (min > max) return `{{${name}}}: the minimum ${min} is larger than the maximum ${max}`;
    if (args.length === 3) {
      const d = Number(args[2]);
      if (!Number.isInteger(d) || d < 0 || d > 10) return `{{${name}}}: decimals must be a whole number from 0 to 10`;
    }
    return undefined;
  };
}

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)];
}

const SPECS: readonly PlaceholderSpec[] = [
  {
    name: 'uuid', kind: 'string', usage: '{{uuid}} or {{uuid:label}}',
    detail: 'a new UUIDv7; {{uuid:label}} gives the same id wherever the label appears in one Publish / Publish All',
    checkArgs: (a) => (a.length > 1 ? '{{uuid}} takes at most one label: {{uuid:order}}' : a.length === 1 && !/^[\w.-]{1,64}$/.test(a[0]) ? '{{uuid:label}}: the label must be letters, digits, _ . or -' : undefined),
    value: (a, ctx) => {
      if (ctx.preview) return PREVIEW_UUID;
      if (a.length === 0) return uuidv7();
      let id = ctx.labels.get(a[0]);
      if (!id) ctx.labels.set(a[0], (id = uuidv7()));
      return id;
    },
  },
  {
    name: 'now', kind: 'string', usage: '{{now}}', detail: 'the current time, ISO-8601 UTC (2025-09-12T10:30:00.000Z)',
    checkArgs: noArgs('now'), value: (_a, ctx) => new Date(ctx.now ?? Date.now()).toISOString(),
  },
  {
    name: 'timestamp', kind: 'number', usage: '{{timestamp}}', detail: 'the current time in milliseconds since 1970',
    checkArgs: noArgs('timestamp'), value: (_a, ctx) => ctx.now ?? Date.now(),
  },
  {
    name: 'randomInt', kind: 'number', usage: '{{randomInt}} or {{randomInt:min:max}}', detail: 'a whole number from min to max inclusive (default 1 to 1000)',
    checkArgs: numericRange('randomInt', true),
    value: (a, ctx) => {
      const [min, max] = a.length ? [Number(a[0]), Number(a[1])] : [1, 1000];
      return ctx.preview ? min : min + Math.floor(Math.random() * (max - min + 1));
    },
  },
  {
    name: 'randomFloat', kind: 'number', usage: '{{randomFloat}} or {{randomFloat:min:max[:decimals]}}', detail: 'a number from min to max with 2 decimals (default 0 to 1000)',
    checkArgs: numericRange('randomFloat', false),
    value: (a, ctx) => {
      const [min, max] = a.length ? [Number(a[0]), Number(a[1])] : [0, 1000];
      const decimals = a.length === 3 ? Number(a[2]) : 2;
      if (ctx.preview) return min;
      const f = 10 ** decimals;
      return Math.min(max, Math.max(min, Math.round((min + Math.random() * (max - min)) * f) / f));
    },
  },
  {
    name: 'randomEmail', kind: 'string', usage: '{{randomEmail}}', detail: 'an address at example.com, e.g. ada.lovelace42@example.com',
    checkArgs: noArgs('randomEmail'),
    value: (_a, ctx) => (ctx.preview ? 'user@example.com' : `${pick(FIRST_NAMES).toLowerCase()}.${pick(LAST_NAMES).toLowerCase()}${Math.floor(Math.random() * 1000)}@example.com`),
  },
  {
    name: 'randomName', kind: 'string', usage: '{{randomName}}', detail: 'a first and last name, e.g. Grace Hopper',
    checkArgs: noArgs('randomName'), value: (_a, ctx) => (ctx.preview ? 'Ada Lovelace' : `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`),
  },
  {
    name: 'seq', kind: 'number', usage: '{{seq}}', detail: 'the position of the event within one Publish All (1, 2, 3…; 1 for a single Publish)',
    checkArgs: noArgs('seq'), value: (_a, ctx) => ctx.seq,
  },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/** For completion and documentation. */
export const PLACEHOLDERS: ReadonlyArray<{ name: string; usage: string; detail: string; kind: 'string' | 'number' }> =
  SPECS.map(({ name, usage, detail, kind }) => ({ name, usage, detail, kind }));

/** At most this many placeholders per block are looked at (the rest stay as written and are reported). */
export const MAX_PLACEHOLDERS = 10_000;

// `{{ name }}` or `{{name:arg:arg}}`; names are identifiers, arguments anything but braces, colons and line breaks.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*((?::[^{}:\r\n]{0,64}){0,4})\}\}/y;
const INTERESTING = /["\\\n]|\{\{/g;

/**
 * Finds the placeholders of a block's text and whether each stands inside a JSON string. Tolerates malformed JSON:
 * a line break ends an unterminated string. Linear in the text; stops after MAX_PLACEHOLDERS.
 */
export function findPlaceholders(text: string): { refs: PlaceholderRef[]; truncated: boolean } {
  const refs: PlaceholderRef[] = [];
  let inString = false;
  INTERESTING.lastIndex = 0;
  for (let m = INTERESTING.exec(text); m; m = INTERESTING.exec(text)) {
    const i = m.index;
    const c = m[0];
    if (c === '"') inString = !inString;
    else if (c === '\\') {
      if (inString && text.charCodeAt(i + 1) !== 10) INTERESTING.lastIndex = i + 2; // the escaped character does not count
    } else if (c === '\n') inString = false;
    else {
      PLACEHOLDER.lastIndex = i;
      const p = PLACEHOLDER.exec(text);
      if (!p) continue;
      if (refs.length >= MAX_PLACEHOLDERS) return { refs, truncated: true };
      const args = p[2] ? p[2].slice(1).split(':').map((a) => a.trim()) : [];
      refs.push({ offset: i, length: p[0].length, name: p[1], args, inString });
      INTERESTING.lastIndex = i + p[0].length;
    }
  }
  return { refs, truncated: false };
}

/** A message when the placeholder is unknown or its arguments are wrong. */
export function checkPlaceholder(ref: PlaceholderRef): string | undefined {
  const spec = BY_NAME.get(ref.name);
  if (!spec) {
    const near = SPECS.find((s) => s.name.toLowerCase() === ref.name.toLowerCase());
    return `unknown placeholder {{${ref.name}}}${near ? `: did you mean {{${near.name}}}?` : ` (known: ${SPECS.map((s) => s.name).join(', ')})`}`;
  }
  return spec.checkArgs(ref.args);
}

/**
 * The text with every bare placeholder replaced by a JSON value of the same length and type (`100…` or `"xx…"`),
 * so the JSON checker can parse it and report positions that match the document. Placeholders inside strings stay.
 */
export function maskPlaceholders(text: string, refs: readonly PlaceholderRef[]): string {
  const bare = refs.filter((r) => !r.inString);
  if (bare.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const r of bare) {
    parts.push(text.slice(at, r.offset));
    const kind = BY_NAME.get(r.name)?.kind ?? 'number';
    // `1000…` is a valid number of any length, so the value ends exactly where the placeholder does.
    parts.push(kind === 'string' ? `"${'x'.repeat(r.length - 2)}"` : `1${'0'.repeat(r.length - 1)}`);
    at = r.offset + r.length;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * The text with every placeholder replaced by its value: inside strings the value's text (JSON-escaped), bare ones
 * as a JSON value. Unknown placeholders or wrong arguments are left as written (the checker reports them).
 */
export function expandPlaceholders(text: string, refs: readonly PlaceholderRef[], ctx: ExpansionContext): string {
  if (refs.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const r of refs) {
    const spec = BY_NAME.get(r.name);
    if (!spec || spec.checkArgs(r.args)) {
      // Reported by the checker; a preview still needs valid JSON to check the rest of the event.
      if (ctx.preview && !r.inString) {
        parts.push(text.slice(at, r.offset), 'null');
        at = r.offset + r.length;
      }
      continue;
    }
    parts.push(text.slice(at, r.offset));
    const v = spec.value(r.args, ctx);
    const json = JSON.stringify(v);
    parts.push(r.inString ? (typeof v === 'string' ? json.slice(1, -1) : String(v)) : json);
    at = r.offset + r.length;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
