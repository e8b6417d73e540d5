// What the figures were taken on: the machine, the versions and the commit (bench/run.ts and bench/cluster.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/e2e/lib/paths';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  redisServer: string;
  ioredis: string;
  platform: string;
  /** 1-minute load average when the run started and when it ended: how busy the shared machine was. */
  loadAverage: { start: number; end: number };
}

export function describeMachine(redisServer: string, loadAtStart: number): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redisServer,
    ioredis: versionOf('ioredis'),
    platform: `${process.platform}-${process.arch}`,
    loadAverage: { start: loadAtStart, end: oneMinuteLoad() },
  };
}

export function oneMinuteLoad(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

export function gitDescribe(): { commit: string; dirty: boolean } | null {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git(['rev-parse', '--short', 'HEAD']).trim();
    return { commit, dirty: git(['status', '--porcelain', '--', 'src', 'bench', 'package.json']).trim() !== '' };
  } catch {
    return null;
  }
}

export function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
