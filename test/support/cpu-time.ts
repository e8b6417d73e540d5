// A bound that catches a hang or quadratic work without failing because other processes share the machine: CPU time
// of this process (user + system), not wall time. CI runs on 2 cores next to redis-servers and VS Code.

/** Milliseconds of this process's CPU time since `start` (a process.cpuUsage() reading). */
export function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 1000);
}
