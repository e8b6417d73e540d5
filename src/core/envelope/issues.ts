// What is wrong with an event, as data: where (a path into the event), what (a message) and which kind of problem (a
// code). The envelope, the schema registry and (next) contracts checked on live traffic all produce these; the
// `.events` diagnostics put each on the property it names, the CLI and Publish Event show one line per issue.
//
// The path is an array of keys and indexes, as zod gives it, not a dotted string: an event's keys may contain dots
// or be empty ("a.b" and "" are valid JSON keys), and only an array says unambiguously which property is meant.
// `formatPath` makes the dotted form for display.
import type * as z from 'zod/mini';

export type IssuePath = ReadonlyArray<string | number>;

/**
 * zod's issue codes (invalid_type, too_small, invalid_format, custom, …) and the core's own:
 * `not_object` (the event is not a JSON object), `missing` (a required field is absent), `unknown_version` (the
 * registry has the type but not the event's version), `check_failed` (a schema threw instead of answering),
 * `unknown_event_type` (a contract covers the channel but not the event's type).
 */
export type ValidationIssueCode = z.core.$ZodIssue['code'] | 'not_object' | 'missing' | 'unknown_version' | 'check_failed' | 'unknown_event_type';

export interface ValidationIssue {
  /** Keys and array indexes from the event's root; [] is the event as a whole. */
  readonly path: IssuePath;
  readonly message: string;
  readonly code: ValidationIssueCode;
}

/** At most this many issues are kept per check (a hostile event can fail a schema in thousands of places). */
export const MAX_ISSUES = 20;

/** zod's issues as ValidationIssues, the path under `prefix` (the registry checks `data`, so its issues start there). */
export function issuesFromZod(error: z.core.$ZodError, prefix: IssuePath = []): ValidationIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((i) => ({
    path: [...prefix, ...i.path.map((k) => (typeof k === 'symbol' ? String(k) : k))],
    message: i.message,
    code: i.code,
  }));
}

/** "data.items.0.quantity"; '' for the event as a whole. */
export function formatPath(path: IssuePath): string {
  return path.map(String).join('.');
}

/** One line for a person: "data.items.0.quantity: Too small: expected number to be >0", or the message alone at the root. */
export function describeIssue(issue: ValidationIssue): string {
  return issue.path.length ? `${formatPath(issue.path)}: ${issue.message}` : issue.message;
}

/** Several issues on one line, separated by "; ". */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map(describeIssue).join('; ');
}
