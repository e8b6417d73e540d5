// Rate alert rules, evaluated once a second against the monitor's counters. An alert fires once when a rate
// crosses above its threshold and resolves once when it falls back, so a rate hovering above the line does not
// flood listeners with a message a second.
import { BadInputError } from '../errors';
import { compileGlob, type GlobMatcher } from '../glob';
import type { SecondBuckets } from './second-buckets';
import type { AlertRule, MonitorAlert } from './types';

export const DEFAULT_ALERT_WINDOW_SECONDS = 10;
const MAX_RULES = 100;

interface CompiledRule {
  rule: AlertRule;
  windowSeconds: number;
  matches: GlobMatcher;
}

/** The counters a rule can look at. */
export interface AlertSources {
  total: SecondBuckets;
  channels: Iterable<[string, SecondBuckets]>;
  types: Iterable<[string, SecondBuckets]>;
}

export class AlertEvaluator {
  private rules: CompiledRule[] = [];
  /** Firing alerts by rule id and key. */
  private readonly firing = new Map<string, Map<string, MonitorAlert>>();

  constructor(private readonly maxWindowSeconds: number) {}

  /** Replaces the rules; alerts of rules that are gone are returned as resolved. */
  setRules(rules: readonly AlertRule[], nowMs: number): MonitorAlert[] {
    const compiled = rules.map((r) => this.compile(r));
    if (compiled.length > MAX_RULES) throw new BadInputError(`at most ${MAX_RULES} alert rules`);
    const ids = new Set<string>();
    for (const c of compiled) {
      if (ids.has(c.rule.id)) throw new BadInputError(`alert rule id "${c.rule.id}" is used twice`);
      ids.add(c.rule.id);
    }
    const resolved: MonitorAlert[] = [];
    for (const [id, byKey] of this.firing) {
      if (ids.has(id)) continue;
      for (const a of byKey.values()) resolved.push({ ...a, at: nowMs, state: 'resolved' });
      this.firing.delete(id);
    }
    this.rules = compiled;
    return resolved;
  }

  /** Checks every rule; returns the alerts that fired or resolved now. */
  evaluate(nowSecond: number, nowMs: number, sources: AlertSources): MonitorAlert[] {
    const changes: MonitorAlert[] = [];
    for (const c of this.rules) {
      const seen = new Set<string>();
      const check = (key: string, counter: SecondBuckets) => {
        seen.add(key);
        this.update(c, key, counter.rate(nowSecond, c.windowSeconds), nowMs, changes);
      };
      if (c.rule.scope === 'total') check('total', sources.total);
      else {
        for (const [key, counter] of c.rule.scope === 'channel' ? sources.channels : sources.types) {
          if (c.matches(key)) check(key, counter);
        }
      }
      // A key that is no longer tracked has no traffic: its alert resolves.
      const byKey = this.firing.get(c.rule.id);
      if (byKey) for (const key of byKey.keys()) if (!seen.has(key)) this.update(c, key, 0, nowMs, changes);
    }
    return changes;
  }

  active(): MonitorAlert[] {
    const out: MonitorAlert[] = [];
    for (const byKey of this.firing.values()) for (const a of byKey.values()) out.push({ ...a });
    return out;
  }

  /** Forgets every firing alert; returns them as resolved. */
  resolveAll(nowMs: number): MonitorAlert[] {
    const out = this.active().map((a) => ({ ...a, at: nowMs, state: 'resolved' as const }));
    this.firing.clear();
    return out;
  }

  private update(c: CompiledRule, key: string, rate: number, nowMs: number, changes: MonitorAlert[]): void {
    const threshold = c.rule.eventsPerSecond;
    let byKey = this.firing.get(c.rule.id);
    const current = byKey?.get(key);
    if (!current && rate > threshold) {
      const alert: MonitorAlert = { ruleId: c.rule.id, scope: c.rule.scope, key, rate, threshold, at: nowMs, state: 'firing' };
      if (!byKey) this.firing.set(c.rule.id, (byKey = new Map()));
      byKey.set(key, alert);
      changes.push({ ...alert });
    } else if (current && rate <= threshold) {
      byKey!.delete(key);
      if (byKey!.size === 0) this.firing.delete(c.rule.id);
      changes.push({ ...current, rate, at: nowMs, state: 'resolved' });
    } else if (current) {
      current.rate = rate;
    }
  }

  private compile(rule: AlertRule): CompiledRule {
    if (!rule || typeof rule.id !== 'string' || !rule.id) throw new BadInputError('an alert rule needs an id');
    if (rule.scope !== 'channel' && rule.scope !== 'type' && rule.scope !== 'total') {
      throw new BadInputError(`alert rule ${rule.id}: scope must be channel, type or total`);
    }
    if (rule.scope !== 'total' && (typeof rule.match !== 'string' || !rule.match)) {
      throw new BadInputError(`alert rule ${rule.id}: match must name a ${rule.scope} or be a glob`);
    }
    if (typeof rule.eventsPerSecond !== 'number' || !(rule.eventsPerSecond >= 0) || !Number.isFinite(rule.eventsPerSecond)) {
      throw new BadInputError(`alert rule ${rule.id}: eventsPerSecond must be a number >= 0`);
    }
    const windowSeconds = rule.windowSeconds ?? DEFAULT_ALERT_WINDOW_SECONDS;
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > this.maxWindowSeconds) {
      throw new BadInputError(`alert rule ${rule.id}: windowSeconds must be an integer from 1 to ${this.maxWindowSeconds}`);
    }
    const match = rule.match ?? '*';
    const matches: GlobMatcher = compileGlob(match);
    return { rule: { ...rule }, windowSeconds, matches };
  }
}
