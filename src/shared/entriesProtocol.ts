// Messages between the stream entries panel's host (extension) and its webview, validated with zod/mini on arrival
// on both sides. Every text is bounded by its schema: a stream of hostile payloads cannot make the page hold more.
import * as z from 'zod/mini';

export const MAX_ENTRY_NAME = 300;
/** A row's payload preview: one line, cut. */
export const MAX_ENTRY_PREVIEW = 300;
/** ucore.explorer.pageSize's maximum. */
export const MAX_ENTRY_ROWS = 1000;
const MAX_TEXT = 1000;

/** The schemas, built on first use (the panel's code itself loads only when the command runs). */
function buildSchemas() {
  const name = z.string().check(z.maxLength(MAX_ENTRY_NAME));
  const text = z.string().check(z.maxLength(MAX_TEXT));
  const id = z.string().check(z.maxLength(60));

  const entryRowSchema = z.object({
    id,
    /** The append time the id carries (ISO, UTC), or '' for an explicit id that is not a time. */
    time: name,
    eventType: name,
    entity: name,
    preview: z.string().check(z.maxLength(MAX_ENTRY_PREVIEW)),
  });
  const entriesPageSchema = z.object({
    stream: name,
    connection: name,
    /** What the page shows, for the heading ("from 2026-12-01 10:00:00Z", "newest", …). */
    where: text,
    rows: z.array(entryRowSchema).check(z.maxLength(MAX_ENTRY_ROWS)),
    hasOlder: z.boolean(),
    hasNewer: z.boolean(),
    /** Said when there are no rows ("No entries at or after …"). */
    empty: text,
    /** Entries in the stream (XLEN) when read with the page. */
    length: z.number(),
  });

  const entriesHostMessageSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('page'), data: entriesPageSchema }),
    z.object({ type: z.literal('busy'), text }),
    z.object({ type: z.literal('error'), text }),
  ]);

  const entriesWebviewMessageSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('ready') }),
    /** Go to a time: the text the user typed (ISO date-time, UTC unless it names an offset, or -1h, -30m …). */
    z.object({ type: z.literal('seek'), at: name }),
    z.object({ type: z.literal('older') }),
    z.object({ type: z.literal('newer') }),
    z.object({ type: z.literal('first') }),
    z.object({ type: z.literal('last') }),
    z.object({ type: z.literal('reload') }),
    /** Open an entry of the page shown as JSON. */
    z.object({ type: z.literal('open'), id }),
    /** What the page drew, read back from its DOM (tests; the host logs nothing of it). */
    z.object({ type: z.literal('rendered'), rows: z.number(), firstCells: z.array(z.string().check(z.maxLength(MAX_ENTRY_PREVIEW))).check(z.maxLength(8)), message: text, elements: z.number() }),
  ]);
  return { entryRowSchema, entriesPageSchema, entriesHostMessageSchema, entriesWebviewMessageSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

export function entriesSchemas(): Schemas {
  return (schemas ??= buildSchemas());
}

export type EntryRow = z.infer<Schemas['entryRowSchema']>;
export type EntriesPage = z.infer<Schemas['entriesPageSchema']>;
export type EntriesHostMessage = z.infer<Schemas['entriesHostMessageSchema']>;
export type EntriesWebviewMessage = z.infer<Schemas['entriesWebviewMessageSchema']>;
