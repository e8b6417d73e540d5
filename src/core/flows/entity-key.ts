// Which entity an event belongs to, and what kind of entity that is. Our core's events carry `entity_id`
// (`order:42`, `user:7`); the guide's order events carry only `data.order_id`, so a key path can be configured for
// events without one. Everything read here comes from other people's services: keys are looked up as own
// properties only (a `__proto__` or `constructor` path finds nothing), and ids are clipped.
import type { EventLike } from '../envelope/envelope';
import { BadInputError } from '../errors';

/** Longest entity id or kind kept; longer ones are clipped (a hostile id must not fill memory or a screen). */
export const MAX_ENTITY_CHARS = 200;
const MAX_PATH_PARTS = 8;

export interface EntityKeyOptions {
  /**
   * Where to look for the entity of events without `entity_id`, as dotted paths tried in order, e.g. `data.order_id`.
   * @default [] (only entity_id)
   */
  keyPaths?: string[];
  /** The kind of every entity found through a key path. @default from the key's last part: `order_id` → `order` */
  kind?: string;
}

export interface EntityRef {
  entity: string;
  kind: string;
}

export interface EntityKey {
  (event: EventLike): EntityRef | null;
  /** The same from values already read: the event's entity_id, and what is at each key path (in order). */
  fromValues(entityId: unknown, pathValues: readonly unknown[], offset: number): EntityRef | null;
  /** The key paths as parts, in the order fromValues takes their values. */
  readonly paths: ReadonlyArray<readonly string[]>;
}

/** A function that finds an event's entity by `entity_id`, else by the configured key paths. */
export function entityKey(options: EntityKeyOptions = {}): EntityKey {
  const paths = (options.keyPaths ?? []).map(parseKeyPath);
  const fixedKind = options.kind === undefined ? undefined : clip(options.kind) || 'entity';
  const key = (event: EventLike): EntityRef | null => {
    const own = idText(event.entity_id);
    if (own !== null) return { entity: own, kind: fixedKind ?? kindOfId(own) };
    for (const p of paths) {
      const v = idText(readPath(event, p.parts));
      if (v !== null) return { entity: v, kind: fixedKind ?? p.kind };
    }
    return null;
  };
  return Object.assign(key, {
    fromValues(entityId: unknown, pathValues: readonly unknown[], offset: number): EntityRef | null {
      const own = idText(entityId);
      if (own !== null) return { entity: own, kind: fixedKind ?? kindOfId(own) };
      for (let i = 0; i < paths.length; i++) {
        const v = idText(pathValues[offset + i]);
        if (v !== null) return { entity: v, kind: fixedKind ?? paths[i].kind };
      }
      return null;
    },
    paths: paths.map((p) => p.parts),
  });
}

interface KeyPath {
  parts: string[];
  kind: string;
}

/** `data.order_id` → parts and the kind it names (`order`). Throws BadInputError on an empty or odd path. */
export function parseKeyPath(path: string): KeyPath {
  if (typeof path !== 'string' || path.trim() === '') throw new BadInputError('a key path must be a non-empty text such as data.order_id');
  const parts = path.trim().split('.');
  if (parts.length > MAX_PATH_PARTS || parts.some((p) => p === '')) {
    throw new BadInputError(`"${path.slice(0, 60)}" is not a key path: dotted names, at most ${MAX_PATH_PARTS} of them, e.g. data.order_id`);
  }
  const last = parts[parts.length - 1];
  const kind = last.replace(/[_-]?id$/i, '') || last;
  return { parts, kind: clip(kind) };
}

/** The value at a dotted path, through own properties only. */
export function readPath(value: unknown, parts: readonly string[]): unknown {
  let v = value;
  for (const p of parts) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** `order:42` → `order`; an id without a prefix is of kind `entity`. */
export function kindOfId(id: string): string {
  const colon = id.indexOf(':');
  return colon > 0 ? id.slice(0, colon) : 'entity';
}

function idText(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : clip(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return clip(v.toString());
  return null;
}

export function clip(s: string, max = MAX_ENTITY_CHARS): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
