// Connections with passwords: the password goes to SecretStorage only (never into the stored URL, a tree row or an
// error), and a reconnect finds it there. Runs against a redis-server with `requirepass` started by this test.
import * as assert from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { describeUrl, splitPassword } from '../../src/extension/connections/catalog';
import { isOpen, monitorStatus, stateOfStatus, type ConnectionState } from '../../src/extension/connections/connectionState';
import type { UCoreExtensionApi } from '../../src/extension/extension';
import { api, freePort } from './helpers';

const SECRET = 's3cret-Pa55word';

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = spawnSync('redis-cli', ['-p', String(port), '-a', SECRET, '--no-auth-warning', 'ping'], { encoding: 'utf8' }).stdout?.includes('PONG');
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

function allText(a: UCoreExtensionApi): string {
  return a.explorer.connections.getChildren().map((n) => {
    const item = a.explorer.connections.getTreeItem(n);
    return `${String(item.label)} ${String(item.description)} ${String(item.tooltip)} ${JSON.stringify({ config: n.entry.config, state: n.entry.state, target: n.entry.target })}`;
  }).join('\n');
}

describe('connections with a password', function () {
  this.timeout(60_000);
  let server: ChildProcess | undefined;
  let dir = '';
  let port = 0;

  before(async function () {
    if (spawnSync('redis-server', ['--version']).status !== 0) this.skip();
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'ucore-ext-redis-'));
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', SECRET, '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port);
  });

  after(async () => {
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    const a = await api();
    await a.services.connections.setActive('Embedded');
  });

  it('stores the password of a URL in the secret storage only, and reconnects with it', async () => {
    const a = await api();
    const name = `pw-test-${Date.now().toString(36)}`;
    const url = `redis://:${SECRET}@127.0.0.1:${port}/0`;
    try {
      assert.strictEqual(await vscode.commands.executeCommand('ucore.connection.add', { name, url }), name);
      const entry = a.services.connections.get(name);
      assert.ok(entry?.live, 'connected');
      assert.strictEqual(entry.config.url, `redis://127.0.0.1:${port}/0`);
      assert.ok(await a.services.connections.catalog.hasPassword(name));
      assert.ok(!allText(a).includes(SECRET), 'no password in any tree row or tooltip');
      assert.ok(!entry.live.transport.description.includes(SECRET));

      await vscode.commands.executeCommand('ucore.connection.disconnect', name);
      assert.strictEqual(a.services.connections.get(name)?.state.kind, 'disconnected');
      await vscode.commands.executeCommand('ucore.connection.connect', name);
      const again = a.services.connections.live(name);
      assert.ok(again, 'reconnected with the stored password');
      await again.transport.ping();
    } finally {
      await a.services.connections.setActive('Embedded');
      await a.services.connections.catalog.remove(name).catch(() => undefined);
    }
    assert.strictEqual(await a.services.connections.catalog.hasPassword(name), false, 'removing the connection removes its password');
  });

  it('shows a wrong password as an error state without the password in it', async () => {
    const a = await api();
    const name = `bad-pw-${Date.now().toString(36)}`;
    try {
      await a.services.connections.catalog.add({ name, url: `redis://127.0.0.1:${port}` }, 'wrong-Pa55');
      await assert.rejects(a.services.connections.connect(name), (e: Error & { code?: string }) => {
        assert.strictEqual(e.code, 'AUTH_FAILED');
        assert.ok(!e.message.includes('wrong-Pa55'));
        return true;
      });
      const state = a.services.connections.get(name)?.state;
      assert.strictEqual(state?.kind, 'error');
      assert.ok(!allText(a).includes('wrong-Pa55'));

      await a.services.connections.catalog.edit(name, undefined, SECRET);
      assert.strictEqual(a.services.connections.get(name)?.state.kind, 'disconnected', 'a new password clears the old error');
      await a.services.connections.connect(name);
      assert.strictEqual(a.services.connections.get(name)?.state.kind, 'ready');
    } finally {
      await a.services.connections.catalog.remove(name).catch(() => undefined);
    }
  });
});

describe('connection catalog and lifecycle', function () {
  this.timeout(30_000);

  it('follows a rename of the active connection and closes what the edit changed', async () => {
    const a = await api();
    const { connections } = a.services;
    const name = `rename-${Date.now().toString(36)}`;
    try {
      await connections.catalog.add({ name, url: `embedded://${name}` });
      await connections.setActive(name);
      assert.ok(connections.live(name));
      await connections.catalog.edit(name, { name: `${name}-2`, url: `embedded://${name}` });
      assert.strictEqual(connections.activeConnectionName, `${name}-2`);
      assert.strictEqual(connections.live(name), undefined, 'the old live connection is closed');
      assert.strictEqual(connections.get(name), undefined);
      assert.strictEqual(connections.get(`${name}-2`)?.state.kind, 'disconnected');
      await connections.catalog.remove(`${name}-2`);
      assert.strictEqual(connections.activeConnectionName, 'Embedded', 'removing the active one falls back to Embedded');
    } finally {
      await connections.setActive('Embedded');
      await connections.catalog.remove(name).catch(() => undefined);
      await connections.catalog.remove(`${name}-2`).catch(() => undefined);
    }
  });

  it('saves a cluster URL without its password and keeps the password in the secret storage', async () => {
    const a = await api();
    const name = `cluster-pw-${Date.now().toString(36)}`;
    try {
      await a.services.connections.catalog.add({ name, url: `redis+cluster://app:${SECRET}@127.0.0.1:7001,127.0.0.1:7002` });
      assert.strictEqual(a.services.connections.get(name)?.config.url, 'redis+cluster://app@127.0.0.1:7001,127.0.0.1:7002');
      assert.ok(await a.services.connections.catalog.hasPassword(name));
      assert.strictEqual(await a.services.connections.catalog.password(name), SECRET);
      assert.ok(!allText(a).includes(SECRET));
    } finally {
      await a.services.connections.catalog.remove(name).catch(() => undefined);
    }
  });

  it('shows a CA file it cannot read as an error state naming the file problem', async () => {
    const a = await api();
    const name = `tls-ca-${Date.now().toString(36)}`;
    try {
      await a.services.connections.catalog.add({ name, url: 'rediss://127.0.0.1:1', tls: { caFile: join(tmpdir(), 'ucore-no-such-ca.pem') } });
      await assert.rejects(a.services.connections.connect(name), (e: Error & { code?: string }) => e.code === 'TLS' && /CA file.*ENOENT/.test(e.message));
      const state = a.services.connections.get(name)?.state;
      assert.strictEqual(state?.kind, 'error');
      assert.match(state.kind === 'error' ? state.message : '', /ENOENT/);
    } finally {
      await a.services.connections.catalog.remove(name).catch(() => undefined);
    }
  });
});

describe('connection states', () => {
  it('are the core statuses plus disconnected, error and untrusted, and give the monitor page its status', () => {
    assert.deepStrictEqual(stateOfStatus('ready'), { kind: 'ready' });
    assert.deepStrictEqual(stateOfStatus('reconnecting', 'ECONNREFUSED'), { kind: 'reconnecting', message: 'ECONNREFUSED' });
    assert.deepStrictEqual(stateOfStatus('closed'), { kind: 'error', message: 'the connection closed' });
    const wire: Array<[ConnectionState | undefined, string]> = [
      [{ kind: 'connecting' }, 'connecting'], [{ kind: 'ready' }, 'ready'], [{ kind: 'reconnecting' }, 'reconnecting'],
      [{ kind: 'error', message: 'x' }, 'closed'], [{ kind: 'disconnected' }, 'none'], [{ kind: 'untrusted' }, 'none'], [undefined, 'none'],
    ];
    for (const [state, status] of wire) assert.strictEqual(monitorStatus(state), status, JSON.stringify(state));
    assert.ok(isOpen({ kind: 'reconnecting' }) && isOpen({ kind: 'ready' }) && !isOpen({ kind: 'connecting' }) && !isOpen({ kind: 'disconnected' }));
  });
});

describe('settings', function () {
  this.timeout(30_000);

  it('falls back to the default for a bad value and skips a bad connection entry, without failing', async () => {
    const a = await api();
    const config = vscode.workspace.getConfiguration('ucore');
    try {
      await config.update('tail.maxLines', 'lots', vscode.ConfigurationTarget.Global);
      await config.update('connections', [{ name: 'from-settings', url: 'redis://127.0.0.1:1' }, { url: 5 }], vscode.ConfigurationTarget.Global);
      assert.strictEqual(a.services.settings.get('tailMaxLines'), 1000);
      const names = a.services.connections.list().map((e) => e.config.name);
      assert.ok(names.includes('Embedded'));
      assert.ok(names.includes('from-settings'));
      assert.strictEqual(a.services.connections.get('from-settings')?.config.source, 'user');
      assert.strictEqual(names.length, new Set(names).size);
    } finally {
      await config.update('tail.maxLines', undefined, vscode.ConfigurationTarget.Global);
      await config.update('connections', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.ok(!a.services.connections.list().some((e) => e.config.name === 'from-settings'));
  });
});

describe('cluster and Sentinel connection URLs', () => {
  it('keeps the password out of a stored redis+cluster:// or redis+sentinel:// URL and its description', () => {
    const cluster = splitPassword(`redis+cluster://app:${SECRET}@127.0.0.1:7001,127.0.0.1:7002`);
    assert.deepStrictEqual(cluster, { url: 'redis+cluster://app@127.0.0.1:7001,127.0.0.1:7002', password: SECRET });
    const sentinel = splitPassword(`redis+sentinel://:${SECRET}@127.0.0.1:26379,127.0.0.1:26380/ucore-master`);
    assert.deepStrictEqual(sentinel, { url: 'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/ucore-master', password: SECRET });
    assert.strictEqual(describeUrl(cluster.url), 'redis+cluster://app@127.0.0.1:7001,127.0.0.1:7002');
    assert.match(describeUrl(sentinel.url), /^redis\+sentinel:\/\/127\.0\.0\.1:26379,127\.0\.0\.1:26380\/ucore-master/);
    assert.ok(!describeUrl(`redis+cluster://app:${SECRET}@127.0.0.1:7001`).includes(SECRET));
  });
});
