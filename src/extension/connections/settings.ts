// The one place that reads `ucore.*` settings. Every value is validated with zod; a bad value falls back to its
// default with one warning (per distinct problem), never a crash.
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import { z } from 'zod';
import { type Logger, redactUrl } from '../../core/index';
import { Setting, SETTINGS_SECTION } from '../constants';

export const connectionSettingSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(100),
  url: z.string().trim().min(1, 'url must not be empty'),
  production: z.boolean().optional(),
  username: z.string().min(1).max(256).optional(),
  tls: z.object({
    rejectUnauthorized: z.boolean().optional(),
    caFile: z.string().min(1).optional(),
  }).optional(),
});

export type ConnectionSetting = z.infer<typeof connectionSettingSchema>;

/** One entry of `ucore.monitor.alerts`: a threshold on a rate (events/s) or on a consumer group's lag (entries). */
export const alertRuleSettingSchema = z.object({
  id: z.string().trim().min(1).max(100).optional(),
  scope: z.enum(['channel', 'type', 'total', 'lag']),
  match: z.string().min(1).max(200).optional(),
  stream: z.string().min(1).max(200).optional(),
  threshold: z.number().nonnegative().max(1e9),
  windowSeconds: z.number().int().min(1).max(60).optional(),
}).refine((r) => r.scope === 'total' || r.match !== undefined, { message: 'match is required for channel, type and lag rules' });

export type AlertRuleSetting = z.infer<typeof alertRuleSettingSchema>;

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
};

const scalarSchemas: { [K in keyof UCoreSettings]: { key: string; schema: z.ZodType<UCoreSettings[K]> } } = {
  defaultConnection: { key: Setting.defaultConnection, schema: z.string().trim().min(1) },
  commandTimeoutMs: { key: Setting.commandTimeoutMs, schema: z.number().int().min(100).max(600_000) },
  tailMaxLines: { key: Setting.tailMaxLines, schema: z.number().int().min(10).max(100_000) },
  storeStreamKey: { key: Setting.storeStreamKey, schema: z.string().trim().min(1).max(512) },
  storeKeepIndexed: { key: Setting.storeKeepIndexed, schema: z.boolean() },
  demoRatePerSecond: { key: Setting.demoRatePerSecond, schema: z.number().positive().max(10_000) },
  monitorRecentCapacity: { key: Setting.monitorRecentCapacity, schema: z.number().int().min(10).max(100_000) },
  monitorStreams: { key: Setting.monitorStreams, schema: z.array(z.string().min(1).max(512)).max(10) },
  explorerPageSize: { key: Setting.explorerPageSize, schema: z.number().int().min(5).max(1000) },
};

/** Short text of zod issues, for a warning. */
function issuesText(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ` : '') + i.message).join('; ');
}

export class Settings extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires after any `ucore.*` setting changed (values are re-read lazily). */
  readonly onDidChange = this.changed.event;
  private readonly warned = new Set<string>();

  constructor(private readonly log: Logger, private readonly warn: (message: string) => void) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_SECTION)) this.changed.fire();
    }));
  }

  get<K extends keyof UCoreSettings>(name: K): UCoreSettings[K] {
    const { key, schema } = scalarSchemas[name];
    const raw = vscode.workspace.getConfiguration().get<unknown>(key);
    if (raw === undefined || raw === null) return SETTING_DEFAULTS[name];
    const r = schema.safeParse(raw);
    if (r.success) return r.data;
    this.problem(`Setting ${key} is invalid (${issuesText(r.error)}); using ${JSON.stringify(SETTING_DEFAULTS[name])}.`);
    return SETTING_DEFAULTS[name];
  }

  all(): UCoreSettings {
    const out = {} as Record<keyof UCoreSettings, unknown>;
    for (const k of Object.keys(scalarSchemas) as Array<keyof UCoreSettings>) out[k] = this.get(k);
    return out as unknown as UCoreSettings;
  }

  /**
   * `ucore.connections` from user and workspace settings, each entry validated on its own (a bad entry is skipped
   * with a warning). Workspace (and folder) values are tagged so Workspace Trust can hold them back.
   */
  connections(): ConfiguredConnection[] {
    const info = vscode.workspace.getConfiguration().inspect<unknown>(Setting.connections);
    const out: ConfiguredConnection[] = [];
    const take = (value: unknown, source: SettingSource) => {
      if (value === undefined || value === null) return;
      if (!Array.isArray(value)) {
        this.problem(`Setting ${Setting.connections} (${source}) must be an array of { name, url }; ignored.`);
        return;
      }
      value.forEach((item, i) => {
        const r = connectionSettingSchema.safeParse(item);
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
    const raw = vscode.workspace.getConfiguration().get<unknown>(Setting.monitorAlerts);
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      this.problem(`Setting ${Setting.monitorAlerts} must be an array of { scope, match, threshold }; ignored.`);
      return [];
    }
    const out: AlertRuleSetting[] = [];
    raw.slice(0, 100).forEach((item, i) => {
      const r = alertRuleSettingSchema.safeParse(item);
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
