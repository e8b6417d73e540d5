// The extension's own figures: the size of the minified bundle, and its activation time in the extension host, two
// ways: activate() writes its own duration (`{"activationMs": N}`) to the file named by UCORE_BENCH_ACTIVATION_FILE
// (the host inherits code-server's environment), and VS Code's Running Extensions view shows its measure, which also
// counts loading the bundle. Each reload of the workbench starts a new extension host: one more activation.
// Issue 13's goal is VS Code's measure: < 50 ms median of 5. activate() also reports the two parts of it that run our
// code (evaluating the bundle, and activate() up to its first await), so a miss can be told apart from file reading
// and compiling, which come before either.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCodeServer, type CodeServer } from '../../test/e2e/lib/code-server';
import { REPO_ROOT } from '../../test/e2e/lib/paths';
import { openWorkbench, type Workbench } from '../../test/e2e/lib/workbench';
import type { BenchContext } from '../lib/context';
import { figure, type CaseResult } from '../lib/report';

const BUNDLE_LIMIT = 1_000_000;
const ACTIVATION_LIMIT_MS = 100;
/** Issue 13: VS Code's measure (loading the bundle + the synchronous part of activate()). */
const VSCODE_ACTIVATION_LIMIT_MS = 50;
const ACTIVATION_RUNS = 5;

interface ActivationRecord {
  activationMs: number;
  /** activate() up to its first await: the part of it VS Code counts. */
  syncMs?: number;
  /** From the bundle's first line to activate(): evaluating the bundle's top level. */
  bundleEvalMs?: number;
  /** The same two as CPU time of the extension host: steadier than wall clock when the machine is busy. */
  syncCpuMs?: number;
  bundleEvalCpuMs?: number;
  /** CPU time of reading and compiling the bundle in the loader (dist/extension.js), and whether V8's code cache served it. */
  compileCpuMs?: number;
  codeCache?: string;
  /** Wall time of dist/extension.js's activate(): loading extension-main.js + its activate() to the first await. */
  activateCallMs?: number;
  /** VS Code's marks around its require() of dist/extension.js (willLoad → didLoad). */
  hostLoadMs?: number;
  /** Other extensions whose require() ended in the second before ours (VS Code's marks). */
  othersLoading?: Array<{ id: string; ms: number; endedBeforeOursMs: number }>;
}

function records(file: string): ActivationRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ActivationRecord);
}

function activations(file: string): number[] {
  return records(file).map((r) => Number(r.activationMs));
}

async function waitForActivations(file: string, count: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = activations(file);
    if (got.length >= count) return got;
    if (Date.now() > deadline) throw new Error(`no activation time reported within ${timeoutMs / 1000} s (got ${got.length} of ${count})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** "Activation: 106ms" (or "Startup Activation: …") of our row in Developer: Show Running Extensions. */
async function vscodeActivationMs(wb: Workbench): Promise<number> {
  await wb.runCommand('Developer: Show Running Extensions');
  const cell = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'UCore Events' }).locator('.activation-time');
  await cell.waitFor({ timeout: 60_000 }); // the view fills slowly when the machine is busy
  const text = await cell.innerText();
  const ms = Number(/(\d+)\s*ms/.exec(text)?.[1]);
  if (!Number.isFinite(ms)) throw new Error(`unexpected activation text "${text}"`);
  return ms;
}

export function bundleSizeResult(): CaseResult {
  const size = statSync(join(REPO_ROOT, 'dist', 'extension-main.js')).size + statSync(join(REPO_ROOT, 'dist', 'extension.js')).size;
  const apart = ['ioredis.js', 'zod.js', 'cel.js', 'contract-libs.js'].map((f) => `${f} ${Math.round(statSync(join(REPO_ROOT, 'dist', f)).size / 1024)} KiB`);
  return {
    id: 'bundle-size', title: 'extension bundle size', size: 'dist/extension.js + extension-main.js, minified', unit: 'bytes',
    ours: figure([size], 0), goal: { text: '< 1 MB', valueAtMost: BUNDLE_LIMIT }, met: size < BUNDLE_LIMIT,
    notes: [`what activation loads; loaded on first use, in bundles of their own: ${apart.join(', ')} (all in the .vsix, which stands alone)`],
  };
}

export async function extensionCase(ctx: BenchContext): Promise<CaseResult[]> {
  const goal = { text: `< ${ACTIVATION_LIMIT_MS} ms`, valueAtMost: ACTIVATION_LIMIT_MS };
  const own: CaseResult = {
    id: 'activation', title: 'extension activation: activate()', size: 'code-server, embedded connection', unit: 'ms',
    ours: figure([]), goal, notes: [],
  };
  const host: CaseResult = {
    id: 'activation-vscode', title: 'extension activation: VS Code\'s measure', size: 'loading the bundle + activate()', unit: 'ms',
    ours: figure([]), goal: { text: `< ${VSCODE_ACTIVATION_LIMIT_MS} ms`, valueAtMost: VSCODE_ACTIVATION_LIMIT_MS }, notes: [],
  };
  const results = [bundleSizeResult(), own, host];
  if (!existsSync(join(REPO_ROOT, 'e2e', 'tools', 'code-server'))) {
    for (const r of [own, host]) r.notes.push('not measured: code-server is not installed (node scripts/ensure-e2e.mjs)');
    return results;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ucore-bench-act-'));
  const file = join(dir, 'activation.jsonl');
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  const started = performance.now();
  const hostValues: number[] = [];
  const hostErrors: string[] = [];
  const readHost = async () => {
    try {
      hostValues.push(await vscodeActivationMs(wb!));
    } catch (e) {
      hostErrors.push((e as Error).message.split('\n')[0]);
    }
  };
  try {
    server = await startCodeServer({ env: { UCORE_BENCH_ACTIVATION_FILE: file } });
    wb = await openWorkbench(server.url, server.workspace);
    await waitForActivations(file, 1, 90_000);
    const firstActivated = performance.now();
    await readHost();
    // The loader writes V8's code cache 10 s after the first activation (src/extension/loader.ts): reloads after that
    // are the activations of every later start.
    await new Promise((r) => setTimeout(r, Math.max(0, 11_000 - (performance.now() - firstActivated))));
    // A quick run measures one activation: starting code-server and a workbench takes ~15 s of the minute.
    const activationRuns = ctx.quick ? 1 : Math.max(ACTIVATION_RUNS, ctx.runs);
    for (let r = 1; r < activationRuns; r++) {
      await wb.page.reload({ timeout: 120_000 }); // a busy shared machine takes more than the 30 s default
      await waitForActivations(file, r + 1, 90_000);
      await readHost();
    }
    const values = activations(file);
    own.ours = figure(values, 0);
    own.met = own.ours.median < ACTIVATION_LIMIT_MS;
    own.notes.push(
      `${values.length} activation(s): the first after code-server started, then one per workbench reload; ${((performance.now() - started) / 1000).toFixed(0)} s in all`,
      'timed by activate() itself, from its first line until the embedded connection is ready; loading the bundle comes before',
    );
    host.ours = figure(hostValues, 0);
    if (hostValues.length) host.met = host.ours.median < VSCODE_ACTIVATION_LIMIT_MS;
    host.notes.push(
      'the "Activation" time of Developer: Show Running Extensions: loading dist/extension.js (read, compile, evaluate) plus activate() up to its first await',
      `each run: ${hostValues.join(', ')} ms`,
    );
    const parts = records(file);
    const list = (pick: (r: ActivationRecord) => number | undefined) => parts.map((r) => pick(r) ?? '?').join(', ');
    host.notes.push(
      `of which evaluating the bundle: ${list((r) => r.bundleEvalMs)} ms (CPU ${list((r) => r.bundleEvalCpuMs)} ms); ` +
        `activate() to its first await: ${list((r) => r.syncMs)} ms (CPU ${list((r) => r.syncCpuMs)} ms)`,
      `compiling the bundle (CPU): ${list((r) => r.compileCpuMs)} ms; V8 code cache: ${parts.map((r) => r.codeCache ?? '?').join(', ')} ` +
        '(the first activation compiles and writes the cache 10 s later; the workbench reloads after that read it)',
    );
    // VS Code's figure is its "code loading" + "activate call" of us. It starts the code-loading clock before an await,
    // and the extensions activated in the same onStartupFinished batch require their code in that gap: the figure
    // counts their loading as ours. The activate call is ours alone (activateCallMs, timed by dist/extension.js).
    if (parts.length === hostValues.length && parts.every((r) => r.activateCallMs !== undefined)) {
      const codeLoading = parts.map((r, i) => Math.max(0, hostValues[i] - Math.round(r.activateCallMs!)));
      const others = parts.map((r, i) => (r.othersLoading ?? []).filter((o) => o.endedBeforeOursMs < codeLoading[i]));
      const othersMs = others.map((list) => list.reduce((sum, o) => sum + o.ms, 0));
      host.notes.push(
        `our activate() call (loading extension-main.js + activate() to its first await, wall): ${list((r) => r.activateCallMs)} ms; ` +
          `VS Code's "code loading" of us (its figure less that): ${codeLoading.join(', ')} ms, of which its require() of dist/extension.js: ${list((r) => r.hostLoadMs)} ms`,
        `in that code loading, other extensions of the same activation batch required their code (VS Code's marks): ` +
          `${others.map((l) => l.map((o) => `${o.id} ${o.ms} ms`).join(' + ') || '-').join(' | ')}; ` +
          `VS Code's figure less their time: ${hostValues.map((v, i) => v - othersMs[i]).join(', ')} ms, median ${figure(hostValues.map((v, i) => v - othersMs[i]), 0).median} ms`,
      );
    }
    own.notes.push(`each run: ${values.join(', ')} ms`);
    if (hostErrors.length) host.notes.push(`not read ${hostErrors.length} time(s): ${hostErrors[0]}`);
  } catch (e) {
    for (const r of [own, host]) r.notes.push(`not measured: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await wb?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
