// What many samples of one place in an event have in common, gathered one value at a time in bounded memory, then
// written as a JSON Schema: the types seen, the properties present in every sample (required), a small set of
// repeated strings (enum), a format every string had (date-time, uuid, email). Whatever passes the limits (depth,
// properties, distinct values, array items) is left open in the schema, never guessed: the schema must accept every
// sample it came from.

/** Below this depth a value is not looked into: its schema accepts anything. */
export const MAX_INFER_DEPTH = 12;
/** Properties tracked per object; more are allowed by the schema but not described. */
export const MAX_INFER_PROPERTIES = 200;
/** Array items looked at per array. */
const MAX_ITEMS_PER_ARRAY = 50;
/** Distinct strings remembered per place: more and the place gets no enum. */
export const MAX_ENUM_VALUES = 10;
/** Longer strings are never enum values. */
const MAX_ENUM_VALUE_LENGTH = 200;

export const INFERRED_FORMATS = ['date-time', 'uuid', 'email'] as const;
export type InferredFormat = typeof INFERRED_FORMATS[number];
/** Whether a string is of a format, by the validator's own rules (so an inferred format never rejects its samples). */
export type FormatTest = (format: InferredFormat, value: string) => boolean;

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export class Shape {
  /** Samples that reached this place. */
  count = 0;
  private readonly types = new Set<JsonType>();
  private objects = 0;
  private properties: Map<string, Shape> | undefined;
  private items: Shape | undefined;
  private strings = 0;
  /** String value → times seen; undefined once there were too many distinct values. */
  private distinct: Map<string, number> | undefined = new Map();
  /** Formats every string so far had. */
  private formats = new Set<InferredFormat>(INFERRED_FORMATS);

  constructor(private readonly depth: number, private readonly formatTest: FormatTest) {}

  add(value: unknown): void {
    this.count++;
    if (this.depth >= MAX_INFER_DEPTH) return;
    if (value === null) this.types.add('null');
    else if (typeof value === 'boolean') this.types.add('boolean');
    else if (typeof value === 'number') this.types.add(Number.isInteger(value) ? 'integer' : 'number');
    else if (typeof value === 'string') this.addString(value);
    else if (Array.isArray(value)) {
      this.types.add('array');
      for (const item of value.slice(0, MAX_ITEMS_PER_ARRAY)) (this.items ??= new Shape(this.depth + 1, this.formatTest)).add(item);
    } else if (typeof value === 'object') {
      this.types.add('object');
      this.objects++;
      const props = (this.properties ??= new Map());
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        let p = props.get(k);
        if (!p) {
          if (props.size >= MAX_INFER_PROPERTIES) continue;
          p = new Shape(this.depth + 1, this.formatTest);
          props.set(k, p);
        }
        p.add(v);
      }
    }
  }

  /** The property names seen at this place (an object), in the order first seen. */
  propertyNames(): string[] {
    return [...(this.properties?.keys() ?? [])];
  }

  property(name: string): Shape | undefined {
    return this.properties?.get(name);
  }

  /** The strings seen here, when few enough were remembered. */
  values(): string[] | undefined {
    return this.distinct && [...this.distinct.keys()];
  }

  private addString(s: string): void {
    this.types.add('string');
    this.strings++;
    if (this.distinct) {
      if (s.length > MAX_ENUM_VALUE_LENGTH) this.distinct = undefined;
      else {
        this.distinct.set(s, (this.distinct.get(s) ?? 0) + 1);
        if (this.distinct.size > MAX_ENUM_VALUES) this.distinct = undefined;
      }
    }
    for (const f of this.formats) if (!this.formatTest(f, s)) this.formats.delete(f);
  }

  /** The JSON Schema of what was seen. `pinned` holds properties whose value is fixed (`event_type` of a message). */
  toSchema(pinned?: Readonly<Record<string, string>>): Record<string, unknown> {
    if (this.count === 0 || this.depth >= MAX_INFER_DEPTH || this.types.size === 0) return {};
    const types = [...this.types];
    // Integers are numbers: one "number" says both.
    const written = types.includes('number') ? types.filter((t) => t !== 'integer') : types;
    const schema: Record<string, unknown> = { type: written.length === 1 ? written[0] : written.sort() };
    if (this.types.has('string')) this.describeStrings(schema, written.length === 1);
    if (this.types.has('object') && this.properties) {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [k, p] of this.properties) {
        properties[k] = pinned?.[k] !== undefined ? { type: 'string', const: pinned[k] } : p.toSchema();
        if (p.count === this.objects) required.push(k);
      }
      schema.properties = properties;
      if (required.length) schema.required = required;
    }
    if (this.types.has('array') && this.items) schema.items = this.items.toSchema();
    return schema;
  }

  private describeStrings(schema: Record<string, unknown>, onlyStrings: boolean): void {
    const format = INFERRED_FORMATS.find((f) => this.formats.has(f));
    if (format && this.strings > 0) { schema.format = format; return; }
    // An enum only for strings alone (a null would break it) that repeat: a value set, not identifiers.
    if (!onlyStrings || !this.distinct || this.strings < 3 || this.strings <= this.distinct.size) return;
    schema.enum = [...this.distinct.keys()].sort();
  }
}
