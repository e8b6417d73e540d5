// Named errors of the event core. Every error the core raises on purpose is a UCoreError with a stable `code`,
// so callers (the CLI, the extension) can show one clear line without parsing messages.
// Messages never contain passwords: URLs are redacted before they are put into a message.
import type { ValidationIssue } from './envelope/issues';

export type UCoreErrorCode =
  | 'BAD_URL'
  | 'CONNECTION_REFUSED'
  | 'AUTH_FAILED'
  | 'TIMEOUT'
  | 'TLS'
  | 'CLOSED'
  | 'NOT_JSON'
  | 'INVALID_EVENT'
  | 'SCHEMA'
  | 'REDIS'
  | 'ABORTED'
  | 'BAD_INPUT'
  | 'REPLICATION'
  | 'PARTIAL_APPEND';

export class UCoreError extends Error {
  readonly code: UCoreErrorCode;
  constructor(code: UCoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class BadUrlError extends UCoreError {
  constructor(message: string) { super('BAD_URL', message); }
}
export class ConnectionRefusedError extends UCoreError {
  constructor(message: string, cause?: unknown) { super('CONNECTION_REFUSED', message, { cause }); }
}
export class AuthFailedError extends UCoreError {
  constructor(message: string, cause?: unknown) { super('AUTH_FAILED', message, { cause }); }
}
export class TimeoutError extends UCoreError {
  constructor(message: string, cause?: unknown) { super('TIMEOUT', message, { cause }); }
}
export class TlsError extends UCoreError {
  constructor(message: string, cause?: unknown) { super('TLS', message, { cause }); }
}
export class ClosedError extends UCoreError {
  constructor(message = 'the connection is closed') { super('CLOSED', message); }
}
export class NotJsonError extends UCoreError {
  /** The first bytes of what arrived, for display; never the whole (possibly huge) payload. */
  readonly preview: string;
  constructor(message: string, preview: string) { super('NOT_JSON', message); this.preview = preview; }
}
/** An event the envelope refuses; `issues` say where and why (describeIssue gives each as one line). */
export class InvalidEventError extends UCoreError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) { super('INVALID_EVENT', message); this.issues = issues; }
}
export class SchemaError extends UCoreError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) { super('SCHEMA', message); this.issues = issues; }
}
export class RedisCommandError extends UCoreError {
  constructor(message: string, cause?: unknown) { super('REDIS', message, { cause }); }
}
export class AbortedError extends UCoreError {
  constructor(message = 'cancelled') { super('ABORTED', message); }
}
export class BadInputError extends UCoreError {
  constructor(message: string) { super('BAD_INPUT', message); }
}
/** A write was applied on the master but fewer replicas than asked confirmed it (WAIT) in time. */
export class ReplicationError extends UCoreError {
  constructor(message: string) { super('REPLICATION', message); }
}

/**
 * An append of several events gave up part way (the server stayed away longer than the retry allowed, or refused a
 * chunk). The first `stored` events of the call are stored, exactly once; whether any later one is, is not known
 * until the same producer sends them again with the same sequences (see EventStore's producer options), which
 * stores what is missing and nothing twice.
 */
export class PartialAppendError extends UCoreError {
  readonly stored: number;
  readonly producerId: string;
  constructor(message: string, stored: number, producerId: string, cause: unknown) {
    super('PARTIAL_APPEND', message, { cause });
    this.stored = stored;
    this.producerId = producerId;
  }
}

export function isUCoreError(e: unknown): e is UCoreError {
  return e instanceof UCoreError;
}

/** One line for a person: the message of a known error, or a generic text for anything else. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] || e.name;
  return String(e);
}
