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
  const commit = r.git ? ` at ${r.git.commit}${r.git.dirty ? ' with local changes' : ''}` : '';
  const missed = r.results.filter((c) => c.met === false).map((c) => c.title);
  const notes = r.results.flatMap((c) => c.notes.map((n) => `- *${c.title}*: ${n}`));
  return `## Performance

\`npm run bench\` measures the core against what an app would write by hand with ioredis, and against the guide's
approach, on a private redis-server it starts itself. The machine that runs it is shared and noisy, so no absolute
rate is judged: every figure is a **ratio measured pair by pair in the same run** — baseline and ours back to back,
in alternating order, on the same server reset to the same state — and each case runs ${r.runsPerCase} times after a
warm-up (throughput runs are cut into 10 alternating slices). Ratio = baseline time ÷ our time, so above 1× ours is
faster. The CPU ratio is the same on CPU time (this process + redis-server), which other load on the machine hardly
disturbs. Events are the guide's e-commerce envelopes (~300 bytes of JSON), built in the measured loop on both sides.

Latest full run (${when}${commit}; ${m.cpus} × ${m.cpuModel}, Node ${m.node}, redis-server ${m.redisServer}, ioredis ${m.ioredis}; ${Math.round(r.durationSeconds / 60)} min):

${markdownTable(r.results)}

${missed.length ? `Missed in this run: ${missed.join('; ')}.` : 'Every goal was met in this run.'}

<details><summary>What each case does</summary>

${notes.join('\n')}

</details>

To reproduce:

\`\`\`sh
npm run bench                                  # full run (~${Math.max(1, Math.round(r.durationSeconds / 60))} min): table, bench/results/latest.json, bench/results/README-performance.md
npm run bench -- --quick                       # smaller sizes, under a minute: bench/results/latest-quick.json
npm run bench -- --only entity,replay --runs 5 # some cases: bench/results/latest-partial.json
node --expose-gc --cpu-prof --cpu-prof-dir=bench/results dist/bench/run.js --only dedup   # with a CPU profile
\`\`\`

The activation figures need the e2e tools (\`node scripts/ensure-e2e.mjs\`): the benchmark starts code-server, opens
the workbench in headless Chromium and reloads it; \`activate()\` writes its own duration to the file named by
\`UCORE_BENCH_ACTIVATION_FILE\`, and VS Code's figure is read from *Developer: Show Running Extensions*.
`;
}
