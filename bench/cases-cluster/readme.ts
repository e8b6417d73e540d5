// The README's section on the cluster benchmark, written from a full run's report.
import type { Machine } from '../lib/machine';
import { clusterMarkdownTable, cpuLines, type ClusterCaseResult } from './report';

export interface ClusterReportLike {
  generatedAt: string;
  runsPerCase: number;
  slices: number;
  durationSeconds: number;
  machine: Machine;
  git: { commit: string; dirty: boolean } | null;
  results: ClusterCaseResult[];
}

export function sharedCoresNote(cpus: number): string {
  return `all nodes share this machine's ${cpus} core${cpus === 1 ? '' : 's'}: this measures the client and protocol overhead of a cluster, not its scale-out`;
}

export function clusterSection(r: ClusterReportLike): string {
  const m = r.machine;
  const when = r.generatedAt.slice(0, 10);
  const commit = r.git ? ` at ${r.git.commit}${r.git.dirty ? ' with local changes' : ''}` : '';
  const notes = r.results.flatMap((c) => c.notes.map((n) => `- *${c.title}*: ${n}`));
  return `### Redis Cluster vs one server

\`npm run bench:cluster\` runs publish, store append and replay on a Redis Cluster of 3 masters and on one
redis-server, both started by the benchmark on this machine (loopback ports, persistence off, no replicas).
**Note: ${sharedCoresNote(m.cpus)}.**

Three masters and the client compete for the same cores here, and talk over loopback; on real machines every master
has its own cores (throughput grows with the masters) and every hop crosses a network. Neither is measured: the
figures show how much more work an event costs when it goes through a cluster client to a cluster — slot routing,
one batch per node, the partitioned store, PUBLISH forwarded to every node.

Method: each operation runs on four sides — ours (the core) and raw ioredis (\`Redis\` / \`Cluster\`, both with
\`enableAutoPipelining\`), each on one server and on the cluster. A run is cut into ${r.slices} slices; each slice runs the
four sides back to back in a rotating order, so changes in the machine's load weigh on all of them alike. Each
operation runs ${r.runsPerCase} times after a warm-up; figures are medians, ratios are taken run by run (min–max over the
runs in brackets). "Cluster ÷ 1 server" is the cluster's rate over the single server's: below 1× the cluster is
slower. CPU/event counts this process plus the side's redis-servers (one, or all three masters); other load on the
machine stretches wall time much more than CPU time, so the CPU figures are the steadier ones.

Latest full run (${when}${commit}; ${m.cpus} × ${m.cpuModel}, Node ${m.node}, redis-server ${m.redisServer},
ioredis ${m.ioredis}; ${Math.max(1, Math.round(r.durationSeconds / 60))} min; 1-minute load average ${m.loadAverage.start} before the run and ${m.loadAverage.end} at its end, this run
itself making up to about 2 of it):

${clusterMarkdownTable(r.results)}

${cpuLines(r.results).map((l) => `- ${l}`).join('\n')}

<details><summary>What each case does</summary>

${notes.join('\n')}

</details>

To reproduce:

\`\`\`sh
npm run bench:cluster                         # full run: table, bench/results/cluster-latest.json, bench/results/README-cluster.md
npm run bench:cluster -- --quick              # small sizes, under a minute: bench/results/cluster-latest-quick.json
npm run bench:cluster -- --only append --runs 5
\`\`\`
`;
}
