// Which failures deserve another attempt. Only failures that a later attempt can plausibly fix (a dropped
// connection, a timeout, an explicit RetryableError) are retried; everything else — bad data, bugs, unknown
// errors — goes to the dead-letter queue at once, because retrying it only delays the same failure.
import { ClosedError, ConnectionRefusedError, InvalidEventError, TimeoutError } from '../errors';

/** Throw this from a handler to ask for another attempt (e.g. a downstream service answered 503). */
export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Throw this from a handler to say no attempt will ever succeed (e.g. the card was declined). */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Node socket error codes that mean "the other side went away", not "the request was wrong". */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);
/** Wrapped errors are followed this deep through `cause`; a cyclic or absurd chain stops here. */
const MAX_CAUSE_DEPTH = 5;

export function isRetryable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && e !== null && e !== undefined; depth++) {
    if (e instanceof PermanentError || e instanceof InvalidEventError || e instanceof SyntaxError || e instanceof TypeError) return false;
    if (e instanceof RetryableError || e instanceof TimeoutError || e instanceof ClosedError || e instanceof ConnectionRefusedError) return true;
    if (hasTransientSocketCode(e)) return true;
    // A wrapper (e.g. a RedisCommandError around ECONNRESET) is as retryable as what it wraps.
    e = typeof e === 'object' ? safeGet(e, 'cause') : undefined;
  }
  return false;
}

function hasTransientSocketCode(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = safeGet(e, 'code');
  return typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code);
}

/** Reads a property without letting a hostile getter or proxy throw out of the classifier. */
function safeGet(o: object, key: string): unknown {
  try {
    return (o as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
