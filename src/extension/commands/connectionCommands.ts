// Add, connect, disconnect, edit, remove and pick connections.
import * as vscode from 'vscode';
import { showError, showInfo } from '../notify';
import { BadInputError, parseConnectionUrl, redactUrl } from '../../core/index';
import { splitPassword } from '../connections/catalog';
import type { ConnectionEntry } from '../connections/connectionManager';
import type { ConnectionSetting } from '../connections/settings';
import { Commands, EMBEDDED_NAME } from '../constants';
import { ConnectionNode, stateText } from '../explorer/connectionsTree';
import type { CommandContext } from './context';
import { required } from './pickers';
import type { Registrar } from './registrar';
import { askSafely } from '../safety';

function validateUrl(v: string): string | undefined {
  try {
    parseConnectionUrl(v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The named connection, the tree node's, or one picked from a list. */
async function pickConnection(ctx: CommandContext, arg: unknown, placeHolder: string, filter?: (e: ConnectionEntry) => boolean): Promise<ConnectionEntry> {
  if (arg instanceof ConnectionNode) return arg.entry;
  if (typeof arg === 'string') {
    const e = ctx.services.connections.get(arg);
    if (!e) throw new BadInputError(`there is no connection named "${arg}"`);
    return e;
  }
  const entries = ctx.services.connections.list().filter(filter ?? (() => true));
  if (entries.length === 0) throw new BadInputError('no connection fits; add one with "UCore: Add Connection"');
  const active = ctx.services.connections.activeConnectionName;
  const items = entries.map((e) => ({
    label: `${e.config.name === active ? '$(star-full) ' : ''}${e.config.name}`,
    description: stateText(e.state),
    detail: e.target,
    entry: e,
  }));
  return required(await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true })).entry;
}

interface ConnectionForm { setting: ConnectionSetting; password?: string }

/** Asks URL, name, TLS options, ACL user, (hidden) password and production: six steps. `current` prefills for editing. */
async function askConnection(ctx: CommandContext, current?: ConnectionSetting): Promise<ConnectionForm> {
  const url = required(await vscode.window.showInputBox({
    title: 'Connection (1/6): URL',
    prompt: 'redis://host:port/db, rediss://host:port (TLS), redis+cluster://h1:p1,h2:p2 or redis+sentinel://h1:p1,h2:p2/<master>. Leave the password out: it is asked next and kept in the secret storage.',
    value: current?.url ?? 'redis://127.0.0.1:6379',
    ignoreFocusOut: true,
    validateInput: validateUrl,
  })).trim();
  const target = parseConnectionUrl(url);
  const defaultName = target.kind === 'redis' ? `${target.host}:${target.port}` : url;
  const name = required(await vscode.window.showInputBox({
    title: 'Connection (2/6): name',
    value: current?.name ?? defaultName,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const n = v.trim();
      if (!n) return 'Required';
      if (n.length > 100) return 'At most 100 characters';
      if (n !== current?.name && ctx.services.connections.get(n)) return `A connection named "${n}" exists already`;
      return undefined;
    },
  })).trim();

  type TlsItem = vscode.QuickPickItem & { value: ConnectionSetting['tls'] | undefined };
  const tlsItems: TlsItem[] = [
    { label: 'No TLS', description: url.startsWith('rediss:') ? '(the rediss:// URL turns TLS on anyway)' : '', value: undefined },
    { label: 'TLS, verify the certificate', value: { rejectUnauthorized: true } },
    { label: 'TLS with a CA file…', description: 'PEM bundle to trust', value: { rejectUnauthorized: true, caFile: '' } },
    { label: 'TLS without verification', description: 'insecure: for self-signed test servers only', value: { rejectUnauthorized: false } },
  ];
  const tlsPick = required(await vscode.window.showQuickPick(tlsItems, { title: 'Connection (3/6): TLS', ignoreFocusOut: true }));
  let tls = tlsPick.value;
  if (tls && tls.caFile === '') {
    const files = required(await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Trust this CA', filters: { 'PEM': ['pem', 'crt', 'cer'], 'All files': ['*'] } }));
    tls = { rejectUnauthorized: true, caFile: files[0].fsPath };
  }
  const username = (await vscode.window.showInputBox({
    title: 'Connection (4/6): ACL user',
    prompt: 'Leave empty for the default user',
    value: current?.username ?? (target.kind === 'redis' ? target.username ?? '' : ''),
    ignoreFocusOut: true,
  }));
  if (username === undefined) required(undefined);
  const password = await vscode.window.showInputBox({
    title: 'Connection (5/6): password',
    prompt: current ? 'Leave empty to keep the stored password; type a single space to remove it' : 'Leave empty for none. Stored only in the secret storage, never in settings or logs.',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) required(undefined);
  const production = required(await vscode.window.showQuickPick(
    [{ label: 'Development', production: false }, { label: 'Production', description: 'ask before every change', production: true }],
    { title: 'Connection (6/6): is this a production server?', ignoreFocusOut: true },
  )).production;

  // A password typed into the URL goes to the secret storage, not into the stored URL.
  const split = splitPassword(url);
  const storedUrl = split.url;
  const pw = password || split.password || undefined;
  const setting: ConnectionSetting = { name, url: storedUrl };
  if (production) setting.production = true;
  if (username?.trim()) setting.username = username.trim();
  if (tls) setting.tls = tls;
  const form: ConnectionForm = { setting };
  if (current && password === ' ') form.password = '';
  else if (pw !== undefined) form.password = pw;
  return form;
}

export function registerConnectionCommands(r: Registrar, ctx: CommandContext): void {
  const { connections } = ctx.services;

  r.register(Commands.connectionAdd, 'Add Connection', async (arg?: unknown) => {
    // Scripted use (tests): executeCommand(id, { name, url, password?, ... }) skips the prompts.
    let form: ConnectionForm;
    if (arg && typeof arg === 'object' && !(arg instanceof ConnectionNode)) {
      const { password, ...setting } = arg as ConnectionSetting & { password?: string };
      form = { setting, password };
    } else {
      form = await askConnection(ctx);
    }
    await connections.catalog.add(form.setting, form.password);
    const name = form.setting.name;
    await connections.setActive(name, { connect: false });
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Connecting to ${name}…` }, () => connections.connect(name));
    void showInfo(`Connected to ${name} (${redactUrl(form.setting.url)}).`);
    return name;
  });

  r.register(Commands.connectionConnect, 'Connect', async (arg?: unknown) => {
    const entry = await pickConnection(ctx, arg, 'Connect to…');
    const name = entry.config.name;
    if (!connections.catalog.isAllowed(entry.config)) {
      throw new BadInputError(`"${name}" is defined in the workspace settings; trust the workspace to connect to it.`);
    }
    await connections.setActive(name, { connect: false });
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Connecting to ${name}…` }, () => connections.connect(name));
    } catch (e) {
      if ((e as { code?: string }).code === 'AUTH_FAILED' && entry.config.source !== 'builtin') {
        const pick = await showError(`${name}: authentication failed.`, 'Enter Password', 'Show Log');
        if (pick === 'Show Log') ctx.services.log.show(false);
        if (pick === 'Enter Password') {
          const pw = await vscode.window.showInputBox({ prompt: `Password for ${name} (kept in the secret storage)`, password: true, ignoreFocusOut: true });
          if (pw !== undefined) {
            await connections.catalog.edit(name, undefined, pw);
            await connections.setActive(name, { connect: false });
            await connections.connect(name);
            return name;
          }
        }
        return undefined;
      }
      throw e;
    }
    return name;
  });

  r.register(Commands.connectionConnectEmbedded, 'Connect to Embedded', async () => {
    await connections.setActive(EMBEDDED_NAME);
    return EMBEDDED_NAME;
  });

  r.register(Commands.connectionDisconnect, 'Disconnect', async (arg?: unknown) => {
    const entry = await pickConnection(ctx, arg, 'Disconnect…', (e) => e.live !== undefined);
    ctx.tail.stopConnection(entry.config.name);
    await connections.disconnect(entry.config.name);
  });

  r.register(Commands.connectionEdit, 'Edit Connection', async (arg?: unknown) => {
    const entry = await pickConnection(ctx, arg, 'Edit…', (e) => e.config.source !== 'builtin');
    const { config } = entry;
    if (config.source !== 'added') {
      // Settings belong to the user: offer to open them, or to set only the password here.
      const pick = await vscode.window.showQuickPick(['Set Password…', 'Open Settings'], { placeHolder: `"${config.name}" comes from ${config.source} settings` });
      if (pick === 'Open Settings') {
        await vscode.commands.executeCommand(config.source === 'workspace' ? 'workbench.action.openWorkspaceSettingsFile' : 'workbench.action.openSettingsJson');
      } else if (pick) {
        const pw = required(await vscode.window.showInputBox({ prompt: `Password for ${config.name} (empty removes it)`, password: true, ignoreFocusOut: true }));
        await connections.catalog.edit(config.name, undefined, pw);
      }
      return;
    }
    const current: ConnectionSetting = { name: config.name, url: config.url };
    if (config.production) current.production = true;
    if (config.username) current.username = config.username;
    if (config.tls) current.tls = config.tls;
    const form = await askConnection(ctx, current);
    await connections.catalog.edit(config.name, form.setting, form.password);
  });

  r.register(Commands.connectionRemove, 'Remove Connection', async (arg?: unknown) => {
    const entry = await pickConnection(ctx, arg, 'Remove…', (e) => e.config.source === 'added');
    const ok = await askSafely(`Remove the connection "${entry.config.name}"?`, 'Its stored password is deleted too.', 'Remove',
      `remove "${entry.config.name}" and its stored password`);
    if (!ok) return;
    ctx.tail.stopConnection(entry.config.name);
    await connections.catalog.remove(entry.config.name);
  });

  r.register(Commands.connectionSelect, 'Select Connection', async () => {
    const entry = await pickConnection(ctx, undefined, 'Active connection');
    await vscode.commands.executeCommand(Commands.connectionConnect, entry.config.name);
  });

}
