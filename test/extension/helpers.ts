// What the in-host suites share: the extension's API, waiting for something to show up, unique names. Not a test file
// itself (index.ts loads *.test.js only).
import * as assert from 'node:assert';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import type { UCoreExtensionApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'ucore.ucore-events';

/** The extension under test, activated; its exports are the API the tests drive. */
export async function api(): Promise<UCoreExtensionApi> {
  const ext = vscode.extensions.getExtension<UCoreExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

/**
 * Polls `probe` until it returns something other than undefined or false, and returns that. A probe that throws is
 * tried again; the last error goes into the timeout's message.
 */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

/** A name no earlier run or other test used: `prefix-<time>-<random>`. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nobody listens on now (for a redis-server a test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
