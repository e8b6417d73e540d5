// What "an event matches an expectation" means: every property of the expected object is in the event with a deeply
// equal value (objects are matched the same way, so nested objects may have more properties; arrays must be equal:
// same length, equal elements). For failures, how near an event came: the expected leaves it has and the paths it
// lacks or has differently.
import { isDeepStrictEqual } from 'node:util';

export function matchesExpected(actual: unknown, expected: unknown): boolean {
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    for (const [k, v] of Object.entries(expected)) {
      if (!Object.prototype.hasOwnProperty.call(actual, k) || !matchesExpected(actual[k], v)) return false;
    }
    return true;
  }
  if (Array.isArray(expected)) return Array.isArray(actual) && isDeepStrictEqual(actual, expected);
  return Object.is(actual, expected) || (typeof actual === 'number' && actual === expected);
}

export interface Nearness {
  /** Expected leaves the event has, of `total`. */
  matched: number;
  total: number;
  /** Paths the event lacks or has with another value ("data.amount"), at most 10. */
  differing: string[];
}

export function nearness(actual: unknown, expected: unknown): Nearness {
  const out: Nearness = { matched: 0, total: 0, differing: [] };
  walk(actual, expected, '', out);
  return out;
}

function walk(actual: unknown, expected: unknown, path: string, out: Nearness): void {
  if (isObject(expected) && Object.keys(expected).length > 0) {
    for (const [k, v] of Object.entries(expected)) {
      const has = isObject(actual) && Object.prototype.hasOwnProperty.call(actual, k);
      walk(has ? (actual as Record<string, unknown>)[k] : undefined, v, path ? `${path}.${k}` : k, out);
    }
    return;
  }
  out.total++;
  if (actual !== undefined && matchesExpected(actual, expected)) out.matched++;
  else if (out.differing.length < 10) out.differing.push(path || '(the event)');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
