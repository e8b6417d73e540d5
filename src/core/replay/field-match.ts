// A replay selection's filter (entity, types, time range: no predicate) run on the three fields it looks at, read
// straight from each event's JSON bytes: `ucore replay --since …` parsed every event in full only to read its
// `timestamp`, a third of the CLI's CPU on a 100,000-event replay. The reader still checks that the whole text is JSON,
// so a broken event counts as malformed as it did after JSON.parse; when it is not sure (escaped keys, deep nesting)
// the caller parses the event in full, as before.
import { ENTITY_SLOT, FlowFieldReader, TIME_SLOT, TYPE_SLOT } from '../flows/flow-fields';
import type { EventFields } from '../store/query-plan';

/** The answer of test(): the event matched, did not, or the bytes must be parsed in full to know. */
export type FieldMatchResult = 'match' | 'skip' | 'parse';

export class FieldMatch {
  private readonly reader: FlowFieldReader;
  private readonly filter: (f: EventFields) => boolean;
  private readonly fields: EventFields = { event_type: undefined, entity_id: undefined, atMicros: null };

  private constructor(reader: FlowFieldReader, filter: (f: EventFields) => boolean) {
    this.reader = reader;
    this.filter = filter;
  }

  /** For a query plan's fieldFilter. */
  static create(filter: (f: EventFields) => boolean): FieldMatch | null {
    const reader = FlowFieldReader.create([], [TYPE_SLOT, ENTITY_SLOT, TIME_SLOT]);
    return reader ? new FieldMatch(reader, filter) : null;
  }

  test(bytes: Buffer): FieldMatchResult {
    const reader = this.reader;
    if (!reader.read(bytes)) return 'parse';
    const f = this.fields;
    f.event_type = reader.values[TYPE_SLOT];
    f.entity_id = reader.values[ENTITY_SLOT];
    f.atMicros = reader.atMicros;
    return this.filter(f) ? 'match' : 'skip';
  }
}
