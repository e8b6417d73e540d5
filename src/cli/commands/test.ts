// `ucore test FILE.events|FOLDER...`: runs the scenario tests of `.events` files against --url, for CI. One line per
// test (passed, or failed with the reason and FILE:LINE), then "N passed, M failed"; --json gives one record per test;
// --junit FILE writes a JUnit report. Exit 1 when any test failed or a file is malformed (its problems named
// FILE:LINE:COLUMN, none of its tests run), 2 for wrong usage.
import { readdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkFile, ecommerceRegistry, parseEventsFile, runScenarios, scenarioTests, type ScenarioTestResult } from '../../core/index';
import { type CliCommand, str, UsageError } from '../command';
import type { CliContext } from '../context';
import { safeText } from '../output';
import { readEventsFile } from './publish-events';

const MAX_FILES = 1000;

interface FileResult { file: string; results: ScenarioTestResult[]; problems: string[] }

export const testCommand: CliCommand = {
  name: 'test',
  usage: 'ucore test <FILE.events|FOLDER>... [--json] [--junit FILE] [--name TEXT]',
  summary: 'run the scenario tests (### test: / ### expect channel: NAME within Nms) of .events files against --url; one line per test, exit 1 when any failed',
  options: { junit: { type: 'string' }, name: { type: 'string' } },
  positionals: [1, 1000],
  async run(ctx, paths, values) {
    const files = await collect(paths);
    if (files.length === 0) throw new UsageError(`no .events files in ${paths.join(', ')}`);
    const nameFilter = str(values, 'name');
    const registry = ecommerceRegistry();
    const done: FileResult[] = [];
    let transport;
    for (const file of files) {
      if (ctx.signal.aborted) break;
      const parsed = parseEventsFile(await readEventsFile(file));
      // Envelope and schema issues do not stop a scenario (it may send what a service must refuse): they are noted.
      const problems = checkFile(parsed, registry);
      const errors = problems.filter((p) => p.severity === 'error' && p.code !== 'envelope' && p.code !== 'schema');
      for (const p of problems.filter((q) => q.code === 'envelope' || q.code === 'schema')) ctx.out.note(safeText(`${file}:${p.line + 1}:${p.column + 1}: warning: ${p.message}`, 400));
      const tests = scenarioTests(parsed, basename(file));
      if (errors.length) {
        const lines = errors.map((p) => `${file}:${p.line + 1}:${p.column + 1}: ${p.message}`);
        for (const l of lines) ctx.out.note(safeText(l, 400));
        ctx.out.record({ file, malformed: true, problems: lines }, `✗ ${safeText(file)}: malformed, ${errors.length} problem${errors.length === 1 ? '' : 's'} (first on line ${errors[0].line + 1}); its tests did not run`);
        done.push({ file, results: [], problems: lines });
        continue;
      }
      if (tests.length === 0) continue;
      transport ??= await ctx.connect();
      const results = await runScenarios(parsed, transport, {
        signal: ctx.signal,
        registry,
        implicitName: basename(file),
        only: nameFilter === undefined ? undefined : (t) => t.name.includes(nameFilter),
        onTestEnd: (r) => report(ctx, file, r),
      });
      done.push({ file, results, problems: [] });
    }
    const all = done.flatMap((f) => f.results);
    const failed = all.filter((r) => !r.passed).length + done.filter((f) => f.problems.length).length;
    const passed = all.filter((r) => r.passed).length;
    const junit = str(values, 'junit');
    if (junit) await writeFile(junit, junitXml(done));
    if (!ctx.out.json) ctx.out.line(`${passed} passed, ${failed} failed`);
    return ctx.signal.aborted ? 130 : failed ? 1 : 0;
  },
};

function report(ctx: CliContext, file: string, r: ScenarioTestResult): void {
  const f = r.failure;
  ctx.out.record({ file, name: r.name, line: r.line + 1, passed: r.passed, durationMs: r.durationMs, ...(f ? { failure: { ...f, line: f.line + 1 } } : {}) },
    r.passed ? `✓ ${safeText(r.name, 200)} (${r.durationMs} ms)` : `✗ ${safeText(r.name, 200)}: ${safeText(f!.message, 600)} (${file}:${f!.line + 1})`);
}

/** The .events files named, and those under the folders named (sorted, hidden folders and node_modules skipped). */
async function collect(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') await walk(join(dir, e.name));
      else if (e.isFile() && /\.events$/i.test(e.name)) out.push(join(dir, e.name));
    }
  };
  for (const p of paths) {
    let s;
    try {
      s = await stat(p);
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (s.isDirectory()) await walk(p);
    else out.push(p);
  }
  return out;
}

function junitXml(files: FileResult[]): string {
  const esc = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
  const suites = files.map((f) => {
    const cases = f.results.map((r) => `    <testcase name="${esc(r.name)}" classname="${esc(f.file)}" time="${(r.durationMs / 1000).toFixed(3)}">` +
      (r.failure ? `\n      <failure message="${esc(r.failure.message)}">${esc(`${f.file}:${r.failure.line + 1}: ${r.failure.message}`)}</failure>\n    ` : '') + '</testcase>');
    if (f.problems.length) cases.push(`    <testcase name="${esc(f.file)}" classname="${esc(f.file)}"><error message="malformed">${esc(f.problems.join('\n'))}</error></testcase>`);
    const failures = f.results.filter((r) => !r.passed).length;
    return `  <testsuite name="${esc(f.file)}" tests="${cases.length}" failures="${failures}" errors="${f.problems.length ? 1 : 0}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
