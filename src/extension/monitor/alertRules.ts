// Alert rules of the live monitor: from settings (`ucore.monitor.alerts`) and from the panel (kept in globalState),
// turned into the core's rate rules (channel / type / total, evaluated by EventMonitor) and lag rules (evaluated
// here against the stream samples). Also the bounded log of alerts that fired or resolved.
import { type AlertRule, type StreamSample, BadInputError, compileGlob } from '../../core/index';
import { clip, MAX_ALERT_RULES, MAX_ALERTS, MAX_NAME_CHARS } from '../../shared/monitorLimits';
import type { AlertEventRow, AlertRuleRow, NewAlertRule } from '../../shared/monitorProtocol';
import type { AlertRuleSetting } from '../connections/settings';

export const PANEL_RULES_KEY = 'ucore.monitor.panelAlertRules';

/** A short, readable id: what the rule watches and its threshold. */
export function describeRule(r: { scope: AlertRuleRow['scope']; match?: string; stream?: string; threshold: number }): string {
  const t = formatNumber(r.threshold);
  switch (r.scope) {
    case 'total': return `total > ${t}/s`;
    case 'lag': return `lag ${r.stream && r.stream !== '*' ? `${r.stream} › ` : ''}${r.match ?? '*'} > ${t}`;
    default: return `${r.scope} ${r.match ?? '*'} > ${t}/s`;
  }
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '');
}

function uniqueId(base: string, taken: Set<string>): string {
  let id = clip(base, MAX_NAME_CHARS - 4);
  for (let n = 2; taken.has(id); n++) id = `${clip(base, MAX_NAME_CHARS - 4)} #${n}`;
  taken.add(id);
  return id;
}

/** Settings rules then panel rules, with unique ids, at most MAX_ALERT_RULES. */
export function mergeRules(fromSettings: AlertRuleSetting[], fromPanel: AlertRuleRow[]): AlertRuleRow[] {
  const taken = new Set<string>();
  const out: AlertRuleRow[] = [];
  for (const s of fromSettings) {
    const row: AlertRuleRow = {
      id: uniqueId(s.id ?? describeRule(s), taken),
      scope: s.scope,
      match: clip(s.scope === 'total' ? 'total' : s.match ?? '*', MAX_NAME_CHARS),
      threshold: s.threshold,
      source: 'settings',
    };
    if (s.scope === 'lag') row.stream = clip(s.stream ?? '*', MAX_NAME_CHARS);
    if (s.windowSeconds !== undefined && s.scope !== 'lag') row.windowSeconds = s.windowSeconds;
    out.push(row);
  }
  for (const p of fromPanel) {
    if (out.length >= MAX_ALERT_RULES) break;
    out.push({ ...p, id: uniqueId(p.id, taken), source: 'panel' });
  }
  return out.slice(0, MAX_ALERT_RULES);
}

/** A rule typed in the panel, checked; throws BadInputError with a message for the user. */
export function panelRule(input: NewAlertRule, existing: AlertRuleRow[]): AlertRuleRow {
  const match = input.scope === 'total' ? 'total' : input.match.trim();
  if (!match) throw new BadInputError(`Name the ${input.scope === 'lag' ? 'consumer group' : input.scope} to watch (a glob such as orders:* works too).`);
  if (!Number.isFinite(input.threshold) || input.threshold < 0) throw new BadInputError('The threshold must be a number ≥ 0.');
  const stream = input.scope === 'lag' ? (input.stream?.trim() || '*') : undefined;
  if (existing.length >= MAX_ALERT_RULES) throw new BadInputError(`At most ${MAX_ALERT_RULES} alert rules.`);
  const taken = new Set(existing.map((r) => r.id));
  const row: AlertRuleRow = { id: uniqueId(describeRule({ scope: input.scope, match, stream, threshold: input.threshold }), taken), scope: input.scope, match, threshold: input.threshold, source: 'panel' };
  if (stream !== undefined) row.stream = stream;
  if (input.windowSeconds !== undefined && input.scope !== 'lag') row.windowSeconds = input.windowSeconds;
  return row;
}

/** The rate rules in the core's shape. */
export function coreRules(rules: AlertRuleRow[]): AlertRule[] {
  return rules.filter((r) => r.scope !== 'lag').map((r) => {
    const rule: AlertRule = { id: r.id, scope: r.scope as AlertRule['scope'], match: r.match, eventsPerSecond: r.threshold };
    if (r.windowSeconds !== undefined) rule.windowSeconds = r.windowSeconds;
    return rule;
  });
}

export const lagKey = (stream: string, group: string) => `${stream} › ${group}`;

/** Lag rules against stream samples: fires once above the threshold, resolves once at or below (like rate rules). */
export class LagAlerts {
  private rules: Array<{ rule: AlertRuleRow; stream: (s: string) => boolean; group: (g: string) => boolean }> = [];
  private readonly firing = new Map<string, AlertEventRow>();

  setRules(rules: AlertRuleRow[], nowMs: number): AlertEventRow[] {
    this.rules = rules.filter((r) => r.scope === 'lag').map((rule) => ({ rule, stream: matcher(rule.stream ?? '*'), group: matcher(rule.match) }));
    const ids = new Set(this.rules.map((r) => r.rule.id));
    const resolved: AlertEventRow[] = [];
    for (const [k, a] of this.firing) {
      if (ids.has(a.ruleId)) continue;
      this.firing.delete(k);
      resolved.push({ ...a, at: nowMs, state: 'resolved' });
    }
    return resolved;
  }

  evaluate(samples: StreamSample[], nowMs: number): AlertEventRow[] {
    const changes: AlertEventRow[] = [];
    const seen = new Set<string>();
    for (const { rule, stream, group } of this.rules) {
      for (const s of samples) {
        if (!stream(s.stream)) continue;
        for (const g of s.groups) {
          if (g.lag === null || !group(g.name)) continue;
          const key = clip(lagKey(s.stream, g.name), MAX_NAME_CHARS);
          const id = `${rule.id}\u0000${key}`;
          seen.add(id);
          const current = this.firing.get(id);
          if (!current && g.lag > rule.threshold) {
            const a: AlertEventRow = { ruleId: rule.id, scope: 'lag', key, value: g.lag, threshold: rule.threshold, at: nowMs, state: 'firing' };
            this.firing.set(id, a);
            changes.push({ ...a });
          } else if (current && g.lag <= rule.threshold) {
            this.firing.delete(id);
            changes.push({ ...current, value: g.lag, at: nowMs, state: 'resolved' });
          } else if (current) {
            current.value = g.lag;
          }
        }
      }
    }
    // A group or stream that is gone has no lag any more.
    for (const [id, a] of this.firing) {
      if (seen.has(id)) continue;
      this.firing.delete(id);
      changes.push({ ...a, value: 0, at: nowMs, state: 'resolved' });
    }
    return changes;
  }

  resolveAll(nowMs: number): AlertEventRow[] {
    const out = [...this.firing.values()].map((a) => ({ ...a, at: nowMs, state: 'resolved' as const }));
    this.firing.clear();
    return out;
  }
}

function matcher(pattern: string): (s: string) => boolean {
  if (pattern === '*') return () => true;
  return compileGlob(pattern);
}

/** Alerts that fired or resolved, the newest MAX_ALERTS, each with a sequence number for deltas. */
export class AlertLog {
  private entries: Array<{ seq: number; alert: AlertEventRow }> = [];
  private seq = 0;

  push(alert: AlertEventRow): void {
    this.entries.push({ seq: ++this.seq, alert });
    if (this.entries.length > MAX_ALERTS) this.entries.splice(0, this.entries.length - MAX_ALERTS);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Entries after `seq`, oldest first (at most MAX_ALERTS). */
  since(seq: number): AlertEventRow[] {
    return this.entries.filter((e) => e.seq > seq).map((e) => e.alert);
  }

  all(): AlertEventRow[] {
    return this.entries.map((e) => e.alert);
  }

  clear(): void {
    this.entries = [];
  }
}
