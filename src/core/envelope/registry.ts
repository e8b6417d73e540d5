// Versioned schemas per event type and the migrations between them (the guide's EventVersionAdapter).
// A type's versions form a chain 1.0 → 1.1 → …; `upgrade` walks an event along it to the latest.
import { safeParse } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { SchemaError } from '../errors';
import type { EventEnvelope, EventLike } from './envelope';
import { issuesFromZod, type ValidationIssue } from './issues';

export interface SchemaVersion {
  version: string;
  /** Schema of the event's `data`: zod classic or zod/mini. */
  data: $ZodType;
  /** Turns an event of the previous version into this one (given a copy; return the new event). */
  migrate?: (event: EventEnvelope) => EventEnvelope;
  /** Example `data`, used to prefill editors. */
  example?: Record<string, unknown>;
  description?: string;
}

export type ValidationResult = { ok: true } | { ok: false; issues: ValidationIssue[] };

export class SchemaRegistry {
  private readonly types = new Map<string, SchemaVersion[]>();

  /** Registers a version; versions of a type must be registered in ascending order. */
  register(eventType: string, v: SchemaVersion): this {
    const list = this.types.get(eventType) ?? [];
    const last = list[list.length - 1];
    if (last && compareVersions(v.version, last.version) <= 0) {
      throw new SchemaError(`${eventType} ${v.version} must be newer than ${last.version}`);
    }
    if (last && !v.migrate) throw new SchemaError(`${eventType} ${v.version} needs a migration from ${last.version}`);
    list.push(v);
    this.types.set(eventType, list);
    return this;
  }

  has(eventType: string): boolean {
    return this.types.has(eventType);
  }

  eventTypes(): string[] {
    return [...this.types.keys()].sort();
  }

  versions(eventType: string): string[] {
    return (this.types.get(eventType) ?? []).map((v) => v.version);
  }

  latest(eventType: string): SchemaVersion | undefined {
    const list = this.types.get(eventType);
    return list?.[list.length - 1];
  }

  /** Checks `data` against the schema of the event's own version. Unknown types are valid (nothing to check). */
  validate(event: EventLike): ValidationResult {
    const type = typeof event.event_type === 'string' ? event.event_type : '';
    const list = this.types.get(type);
    if (!list) return { ok: true };
    const version = typeof event.version === 'string' ? event.version : '1.0';
    const sv = list.find((v) => v.version === version);
    if (!sv) {
      return { ok: false, issues: [{ path: ['version'], code: 'unknown_version', message: `${type} has no version ${version} (known: ${list.map((v) => v.version).join(', ')})` }] };
    }
    const r = safeParse(sv.data, event.data ?? {});
    if (r.success) return { ok: true };
    return { ok: false, issues: issuesFromZod(r.error, ['data']) };
  }

  /** The event migrated to the latest registered version of its type (a new object; the input is not changed). */
  upgrade(event: EventEnvelope): EventEnvelope {
    const list = this.types.get(event.event_type);
    if (!list) return event;
    let from = list.findIndex((v) => v.version === (event.version ?? '1.0'));
    if (from < 0) throw new SchemaError(`${event.event_type} has no version ${event.version}`);
    let current: EventEnvelope = structuredClone(event);
    while (from < list.length - 1) {
      const next = list[from + 1];
      current = next.migrate!(current);
      current.version = next.version;
      from++;
    }
    return current;
  }

  /** An example event of the latest version, for editors. */
  template(eventType: string): Record<string, unknown> | undefined {
    const sv = this.latest(eventType);
    if (!sv) return undefined;
    return { event_type: eventType, version: sv.version, data: structuredClone(sv.example ?? {}) };
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
