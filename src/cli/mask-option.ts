// `--mask PATH[=TEXT]` (repeatable), shared by the commands that print or write events: a rule that does not parse
// is a usage error (exit 2), said before anything connects.
import { parseMaskRule, type MaskRule } from '../core/index';
import { strs, UsageError, type Values } from './command';

export function maskRulesOption(values: Values): MaskRule[] {
  try {
    return strs(values, 'mask').map(parseMaskRule);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
