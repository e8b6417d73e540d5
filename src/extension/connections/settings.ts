// The one place that reads `ucore.*` settings. Every value is validated with zod; a bad value falls back to its
// default with one warning (per distinct problem), never a crash.
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import * as z from 'zod/mini';
import { type Logger, redactUrl, useZodMessages } from '../../core/index';
import { Setting, SETTINGS_SECTION } from '../constants';

// zod/mini, built on first use: zod classic and building schemas when the bundle loads cost activation time
// (issue 13). The checks and messages are zod classic's (`.min(1, msg)` is `check(z.minLength(1, msg))`).
const trimmed = () => z.string().check(z.trim());
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

function buildConnectionSettingSchema() {
  useZodMessages();
  return z.object({
    name: trimmed().check(z.minLength(1, 'name must not be empty'), z.maxLength(100)),
    url: trimmed().check(z.minLength(1, 'url must not be empty')),
    production: z.optional(z.boolean()),
    /** Masking rules (`data.email`, `user_id=***`) for recording, tail and copy on this connection. */
    mask: z.optional(z.array(text(1, 300)).check(z.maxLength(100))),
    username: z.optional(text(1, 256)),
    tls: z.optional(z.object({
      rejectUnauthorized: z.optional(z.boolean()),
      caFile: z.optional(z.string().check(z.minLength(1))),
    })),
  });
}

let connectionSchema: ReturnType<typeof buildConnectionSettingSchema> | undefined;
/** One entry of `ucore.connections` (and of the connections added in the UI). */
export function connectionSettingSchema(): ReturnType<typeof buildConnectionSettingSchema> {
  return (connectionSchema ??= buildConnectionSettingSchema());
}

export type ConnectionSetting = z.output<ReturnType<typeof buildConnectionSettingSchema>>;

/** One entry of `ucore.monitor.alerts`: a threshold on a rate (events/s) or on a consumer group's lag (entries). */
function buildAlertRuleSettingSchema() {
  useZodMessages();
  return z.object({
    id: z.optional(trimmed().check(z.minLength(1), z.maxLength(100))),
    scope: z.enum(['channel', 'type', 'total', 'lag']),
    match: z.optional(text(1, 200)),
    stream: z.optional(text(1, 200)),
    threshold: z.number().check(z.nonnegative(), z.maximum(1e9)),
    windowSeconds: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(60))),
  }).check(z.refine((r) => r.scope === 'total' || r.match !== undefined, { message: 'match is required for channel, type and lag rules' }));
}

let alertRuleSchema: ReturnType<typeof buildAlertRuleSettingSchema> | undefined;
function alertRuleSettingSchema(): ReturnType<typeof buildAlertRuleSettingSchema> {
  return (alertRuleSchema ??= buildAlertRuleSettingSchema());
}

export type AlertRuleSetting = z.output<ReturnType<typeof buildAlertRuleSettingSchema>>;

/** One entry of `ucore.contracts.schemas`: a plain JSON Schema file bound to a channel or stream (name or glob). */
function buildSchemaBindingSettingSchema() {
  useZodMessages();
  return z.object({
    file: trimmed().check(z.minLength(1), z.maxLength(1024)),
    channel: text(1, 512),
    kind: z.optional(z.enum(['pubsub', 'shard', 'stream'])),
    eventType: z.optional(text(1, 256)),
  });
}

let schemaBindingSchema: ReturnType<typeof buildSchemaBindingSettingSchema> | undefined;
function schemaBindingSettingSchema(): ReturnType<typeof buildSchemaBindingSettingSchema> {
  return (schemaBindingSchema ??= buildSchemaBindingSettingSchema());
}

export type SchemaBindingSetting = z.output<ReturnType<typeof buildSchemaBindingSettingSchema>>;

/** Where a configured connection came from: Workspace Trust treats workspace values differently. */
export type SettingSource = 'user' | 'workspace';

export interface ConfiguredConnection extends ConnectionSetting {
  source: SettingSource;
}

export interface UCoreSettings {
  defaultConnection: string;
  commandTimeoutMs: number;
  tailMaxLines: number;
  storeStreamKey: string;
  storeKeepIndexed: boolean;
  demoRatePerSecond: number;
  monitorRecentCapacity: number;
  monitorStreams: string[];
  explorerPageSize: number;
  contractFiles: string;
  contractSchemas: SchemaBindingSetting[];
  contractsLive: boolean;
  contractsLiveChecksPerSecond: number;
  maskingRules: string[];
  recordMaxMegabytes: number;
  searchScanBudget: number;
  searchMaxResults: number;
  searchSavedFilters: SavedFilterSetting[];
  lagStuckAfterSeconds: number;
  lagSampleSeconds: number;
}

/** A named search expression kept in the workspace settings (shared and reviewed with the code). */
export interface SavedFilterSetting {
  name: string;
  expression: string;
  description?: string;
}

export const SETTING_DEFAULTS: UCoreSettings = {
  defaultConnection: 'Embedded',
  commandTimeoutMs: 5000,
  tailMaxLines: 1000,
  storeStreamKey: 'event_store',
  storeKeepIndexed: true,
  demoRatePerSecond: 20,
  monitorRecentCapacity: 500,
  monitorStreams: [],
  explorerPageSize: 50,
  contractFiles: '**/asyncapi.{yaml,yml,json}',
  contractSchemas: [],
  contractsLive: true,
  contractsLiveChecksPerSecond: 5000,
  maskingRules: ['data.email', 'data.phone', 'data.address', 'data.card_number', 'user_id'],
  recordMaxMegabytes: 64,
  searchScanBudget: 1_000_000,
  searchMaxResults: 500,
  searchSavedFilters: [],
  lagStuckAfterSeconds: 60,
  lagSampleSeconds: 5,
};

type ScalarSchemas = { [K in keyof UCoreSettings]: { key: string; schema: () => z.ZodMiniType<UCoreSettings[K]> } };

const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
/** Each setting's schema is built the first time that setting is read: activation reads only a few (issue 13). */
const SCALARS: ScalarSchemas = {
  defaultConnection: { key: Setting.defaultConnection, schema: () => trimmed().check(z.minLength(1)) },
  commandTimeoutMs: { key: Setting.commandTimeoutMs, schema: () => int(100, 600_000) },
  tailMaxLines: { key: Setting.tailMaxLines, schema: () => int(10, 100_000) },
  storeStreamKey: { key: Setting.storeStreamKey, schema: () => trimmed().check(z.minLength(1), z.maxLength(512)) },
  storeKeepIndexed: { key: Setting.storeKeepIndexed, schema: () => z.boolean() },
  demoRatePerSecond: { key: Setting.demoRatePerSecond, schema: () => z.number().check(z.positive(), z.maximum(10_000)) },
  monitorRecentCapacity: { key: Setting.monitorRecentCapacity, schema: () => int(10, 100_000) },
  monitorStreams: { key: Setting.monitorStreams, schema: () => z.array(text(1, 512)).check(z.maxLength(10)) },
  explorerPageSize: { key: Setting.explorerPageSize, schema: () => int(5, 1000) },
  contractFiles: { key: Setting.contractFiles, schema: () => trimmed().check(z.maxLength(1024)) },
  contractSchemas: { key: Setting.contractSchemas, schema: () => z.array(schemaBindingSettingSchema()).check(z.maxLength(200)) },
  contractsLive: { key: Setting.contractsLive, schema: () => z.boolean() },
  contractsLiveChecksPerSecond: { key: Setting.contractsLiveChecksPerSecond, schema: () => int(10, 1_000_000) },
  maskingRules: { key: Setting.maskingRules, schema: () => z.array(text(1, 300)).check(z.maxLength(100)) },
  recordMaxMegabytes: { key: Setting.recordMaxMegabytes, schema: () => int(1, 1024) },
  searchScanBudget: { key: Setting.searchScanBudget, schema: () => int(1, 1_000_000_000) },
  searchMaxResults: { key: Setting.searchMaxResults, schema: () => int(1, 10_000) },
  lagStuckAfterSeconds: { key: Setting.lagStuckAfterSeconds, schema: () => int(1, 86_400) },
  lagSampleSeconds: { key: Setting.lagSampleSeconds, schema: () => int(1, 60) },
  searchSavedFilters: { key: Setting.searchSavedFilters, schema: () => z.array(z.object({ name: text(1, 200), expression: text(1, 4096), description: z.optional(text(0, 1000)) })).check(z.maxLength(200)) },
};
const builtScalars = new Map<keyof UCoreSettings, z.ZodMiniType>();
function scalarSchema<K extends keyof UCoreSettings>(name: K): z.ZodMiniType<UCoreSettings[K]> {
  let schema = builtScalars.get(name);
  if (!schema) {
    useZodMessages();
    schema = SCALARS[name].schema();
    builtScalars.set(name, schema);
  }
  return schema as z.ZodMiniType<UCoreSettings[K]>;
}

const isEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length === 0;

/** Short text of zod issues, for a warning. */
function issuesText(error: z.core.$ZodError): string {
  return error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ` : '') + i.message).join('; ');
}

export class Settings extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires after any `ucore.*` setting changed (values are re-read lazily). */
  readonly onDidChange = this.changed.event;
  private readonly warned = new Set<string>();
  /** getConfiguration() builds a view of every setting: one per change, not one per read (issue 13, activation). */
  private configuration: vscode.WorkspaceConfiguration | undefined;

  constructor(private readonly log: Logger, private readonly warn: (message: string) => void) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      this.configuration = undefined;
      if (e.affectsConfiguration(SETTINGS_SECTION)) this.changed.fire();
    }));
  }

  private config(): vscode.WorkspaceConfiguration {
    return (this.configuration ??= vscode.workspace.getConfiguration());
  }

  get<K extends keyof UCoreSettings>(name: K): UCoreSettings[K] {
    const { key } = SCALARS[name];
    const raw = this.config().get<unknown>(key);
    // VS Code hands back package.json's default for a setting nobody set: a default is valid, so no schema is built or
    // run for it (activation reads several settings; issue 13). Lists other than an empty one are checked every time.
    if (raw === undefined || raw === null || raw === SETTING_DEFAULTS[name]) return SETTING_DEFAULTS[name];
    if (isEmptyList(raw) && isEmptyList(SETTING_DEFAULTS[name])) return [] as unknown as UCoreSettings[K];
    const r = z.safeParse(scalarSchema(name), raw);
    if (r.success) return r.data;
    this.problem(`Setting ${key} is invalid (${issuesText(r.error)}); using ${JSON.stringify(SETTING_DEFAULTS[name])}.`);
    return SETTING_DEFAULTS[name];
  }

  all(): UCoreSettings {
    const out = {} as Record<keyof UCoreSettings, unknown>;
    for (const k of Object.keys(SETTING_DEFAULTS) as Array<keyof UCoreSettings>) out[k] = this.get(k);
    return out as unknown as UCoreSettings;
  }

  /**
   * `ucore.connections` from user and workspace settings, each entry validated on its own (a bad entry is skipped
   * with a warning). Workspace (and folder) values are tagged so Workspace Trust can hold them back.
   */
  connections(): ConfiguredConnection[] {
    const info = this.config().inspect<unknown>(Setting.connections);
    const out: ConfiguredConnection[] = [];
    const take = (value: unknown, source: SettingSource) => {
      if (value === undefined || value === null) return;
      if (!Array.isArray(value)) {
        this.problem(`Setting ${Setting.connections} (${source}) must be an array of { name, url }; ignored.`);
        return;
      }
      value.forEach((item, i) => {
        const r = z.safeParse(connectionSettingSchema(), item);
        if (!r.success) {
          this.problem(`${Setting.connections}[${i}] (${source} settings) is invalid (${issuesText(r.error)}); skipped.`);
          return;
        }
        if (redactUrl(r.data.url) !== r.data.url) {
          this.problem(`${Setting.connections}: "${r.data.name}" has a password in its URL. Settings are plain text; ` +
            'remove it and use "UCore: Edit Connection" to keep the password in the secret storage.');
        }
        out.push({ ...r.data, source });
      });
    };
    take(info?.globalValue, 'user');
    take(info?.workspaceValue, 'workspace');
    take(info?.workspaceFolderValue, 'workspace');
    return out;
  }

  /** `ucore.monitor.alerts`, each entry validated on its own (a bad entry is skipped with a warning). */
  monitorAlertRules(): AlertRuleSetting[] {
    const raw = this.config().get<unknown>(Setting.monitorAlerts);
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      this.problem(`Setting ${Setting.monitorAlerts} must be an array of { scope, match, threshold }; ignored.`);
      return [];
    }
    const out: AlertRuleSetting[] = [];
    raw.slice(0, 100).forEach((item, i) => {
      const r = z.safeParse(alertRuleSettingSchema(), item);
      if (r.success) out.push(r.data);
      else this.problem(`${Setting.monitorAlerts}[${i}] is invalid (${issuesText(r.error)}); skipped.`);
    });
    return out;
  }

  private problem(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.log.warn(message);
    this.warn(message);
  }
}
