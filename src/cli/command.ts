import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CliCommand {
  /** e.g. "publish" or "store get" */
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec;
  /** Number of positionals allowed: [min, max]. */
  positionals: [number, number];
  run(ctx: CliContext, positionals: string[], values: Values): Promise<number | void>;
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function strs(values: Values, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

export function int(values: Values, name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

export function num(values: Values, name: string, { min = 0 } = {}): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

/** Wrong use of the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
