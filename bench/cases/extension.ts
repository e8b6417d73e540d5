// The extension's own figures: the size of the minified bundle, and its activation time as the extension host
// measures it (activate() writes `{"activationMs": N}` to the file named by UCORE_BENCH_ACTIVATION_FILE; the host
// inherits code-server's environment). Each reload of the workbench starts a new extension host: one activation.
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

function activations(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number((JSON.parse(l) as { activationMs: unknown }).activationMs));
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

export function bundleSizeResult(): CaseResult {
  const bundle = join(REPO_ROOT, 'dist', 'extension.js');
  const size = statSync(bundle).size;
  return {
    id: 'bundle-size', title: 'extension bundle size', size: 'dist/extension.js, minified', unit: 'bytes',
    ours: figure([size], 0), goal: { text: '< 1 MB', valueAtMost: BUNDLE_LIMIT }, met: size < BUNDLE_LIMIT,
    notes: ['ioredis and zod are bundled in, so the .vsix stands alone'],
  };
}

export async function extensionCase(ctx: BenchContext): Promise<CaseResult[]> {
  const results: CaseResult[] = [bundleSizeResult()];
  const activation: CaseResult = {
    id: 'activation', title: 'extension activation (in the extension host)', size: 'code-server, embedded connection', unit: 'ms',
    ours: figure([]), goal: { text: `< ${ACTIVATION_LIMIT_MS} ms`, valueAtMost: ACTIVATION_LIMIT_MS }, notes: [],
  };
  results.push(activation);
  if (!existsSync(join(REPO_ROOT, 'e2e', 'tools', 'code-server'))) {
    activation.notes.push('not measured: code-server is not installed (node scripts/ensure-e2e.mjs)');
    return results;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ucore-bench-act-'));
  const file = join(dir, 'activation.jsonl');
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  const started = performance.now();
  try {
    server = await startCodeServer({ env: { UCORE_BENCH_ACTIVATION_FILE: file } });
    wb = await openWorkbench(server.url, server.workspace);
    await waitForActivations(file, 1, 90_000);
    for (let r = 1; r < ctx.runs; r++) {
      await wb.page.reload();
      await waitForActivations(file, r + 1, 90_000);
    }
    const values = activations(file);
    activation.ours = figure(values, 0);
    activation.met = activation.ours.median < ACTIVATION_LIMIT_MS;
    activation.notes.push(
      `${values.length} activation(s): first after code-server start, then one per workbench reload; ${((performance.now() - started) / 1000).toFixed(0)} s in all`,
      'activate() measured by the extension itself, from its first line to the end (the embedded connection ready)',
    );
  } catch (e) {
    activation.notes.push(`not measured: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await wb?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
