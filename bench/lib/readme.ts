// The README's "Performance" section, written from a full run's report.
import { markdownTable, type CaseResult } from './report';

interface ReportLike {
  generatedAt: string;
  runsPerCase: number;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string; redisServer: string; ioredis: string };
  git: { commit: string; dirty: boolean } | null;
  results: CaseResult[];
  goalsMissed: string[];
}

export function performanceSection(r: ReportLike): string {
  const m = r.machine;
  const when = r.generatedAt.slice(0, 10);
  const commit = r.git ? ` at ${r.git.commit}${r.git.dirty ? ' (with uncommitted changes)' : ''}` : '';
  const notes = r.results.flatMap((c) => c.notes.map((n) => `- *${c.title}*: ${n}`));
  return `## Performance

Every figure is a ratio measured in one run against a baseline on the same private redis-server: the machine is
shared and noisy, so absolute rates vary from run to run while the ratios hold. Each case runs ${r.runsPerCase} times
after a warm-up; baseline and ours run back to back (alternating order) from the same server state, and the ratio is
taken pair by pair (baseline time ÷ our time, so above 1× means ours is faster). Events are the guide's e-commerce
envelopes (~300 bytes of JSON), built in the measured loop on both sides.

Latest full run (${when}${commit}; ${m.cpus} × ${m.cpuModel}, Node ${m.node}, redis-server ${m.redisServer}, ioredis ${m.ioredis}; ${Math.round(r.durationSeconds)} s):

${markdownTable(r.results)}

${r.goalsMissed.length ? `Goals missed in this run: ${r.goalsMissed.join(', ')}.` : 'Every goal was met in this run.'}

<details><summary>Notes on the cases</summary>

${notes.join('\n')}

</details>

Reproduce:

\`\`\`sh
npm run bench              # full run, ~${Math.max(1, Math.round(r.durationSeconds / 60))} min: bench/results/latest.json + this section (bench/results/README-performance.md)
npm run bench -- --quick   # smaller sizes, under a minute: bench/results/latest-quick.json
npm run bench -- --only entity,replay --runs 5
\`\`\`

The benchmark starts its own redis-server on a free port (never 6379) with persistence off. Activation time needs
the e2e tools (\`node scripts/ensure-e2e.mjs\`): it starts code-server and reloads the workbench, and the extension
writes its activation time to the file named by \`UCORE_BENCH_ACTIVATION_FILE\`.
`;
}
