// The AsyncAPI contracts the benchmarks put on their traffic: every channel with its event types (told apart by an
// `event_type` const), each message the guide's envelope around the bench's own `data` schema. Each bench chooses
// the envelope's entity id pattern, the user id's type and a data schema that some of its events break.
export interface BenchEnvelope {
  /** `entity_id` must match it. */
  readonly entityPattern: string;
  readonly userIdType: 'string' | 'integer';
  /** The `data` object's schema, YAML indented to sit under `data:` (10 spaces). */
  readonly data: string;
}

export function benchAsyncApi(title: string, channels: Readonly<Record<string, readonly string[]>>, envelope: BenchEnvelope): string {
  const types = [...new Set(Object.values(channels).flat())];
  const messages = types.map((t) => `    ${t}:\n      payload:\n        allOf:\n          - $ref: '#/components/schemas/Envelope'\n          - properties: { event_type: { const: ${t} } }`).join('\n');
  const chans = Object.entries(channels).map(([c, ts]) => `  ${c}:\n    address: ${c}\n    messages:\n${ts.map((t) => `      ${t}: { $ref: '#/components/messages/${t}' }`).join('\n')}`).join('\n');
  return `asyncapi: 3.0.0
info: { title: ${title}, version: 1.0.0 }
channels:
${chans}
components:
  messages:
${messages}
  schemas:
    Envelope:
      type: object
      required: [event_id, event_type, timestamp, data]
      properties:
        event_id: { type: string, format: uuid }
        event_type: { type: string }
        timestamp: { type: string, format: date-time }
        version: { type: string }
        entity_id: { type: string, pattern: '${envelope.entityPattern}' }
        user_id: { type: ${envelope.userIdType} }
        data:
${envelope.data}
`;
}
