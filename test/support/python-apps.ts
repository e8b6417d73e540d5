// Traffic from other programs, the guide's way: test/support/guide_apps.py (the guide's classes on redis-py) and
// test/support/order_service.py (a responder service and SPUBLISH), run with Debian's /usr/bin/python3.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../e2e/lib/paths';

export const PYTHON = '/usr/bin/python3';
const GUIDE_APPS = join(REPO_ROOT, 'test', 'support', 'guide_apps.py');
const ORDER_SERVICE = join(REPO_ROOT, 'test', 'support', 'order_service.py');

function runPython(script: string, args: string[], timeoutMs = 15_000): Promise<any> {
  const child = spawn(PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    if (code === 0) resolve(JSON.parse(out));
    else reject(new Error(`${script} ${args[0]} exited ${code ?? signal}: ${err.trim()}`));
  }));
}

const eventArgs = (texts: string[]) => texts.flatMap((t) => ['--event', t]);

/** RedisAdapter.publish_json of each event (json.dumps), as a guide service publishes. */
export const guidePublish = (url: string, channel: string, events: string[]) => runPython(GUIDE_APPS, ['publish', '--url', url, '--channel', channel, ...eventArgs(events)]);
/** EventStore.save_event of each: XADD event_store * event <json.dumps>, then PUBLISH events. */
export const guideSave = (url: string, events: string[]) => runPython(GUIDE_APPS, ['save', '--url', url, ...eventArgs(events)]);
/** SPUBLISH of each event's json.dumps. */
export const pythonSpublish = (url: string, channel: string, events: string[]) => runPython(ORDER_SERVICE, ['spublish', '--url', url, '--channel', channel, ...eventArgs(events)]);

export interface Responder { stop(): Promise<void>; stderr(): string }

/** order_service.py responder: order_created on `in` → order_paid on `out` after `delayMs` (negative totals ignored). Resolves once subscribed. */
export async function startResponder(url: string, opts: { in?: string; out?: string; delayMs?: number } = {}): Promise<Responder> {
  const child: ChildProcess = spawn(PYTHON, [ORDER_SERVICE, 'responder', '--url', url, '--in', opts.in ?? 'orders', '--out', opts.out ?? 'payments', '--delay-ms', String(opts.delayMs ?? 150)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the responder did not subscribe within 15 s: ${err}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('"ready"')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the responder exited ${code}: ${err}`)); });
  });
  return {
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
