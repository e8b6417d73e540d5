// `ucore`: the event core on the command line. Every command takes --url (default $UCORE_REDIS_URL, else
// redis://127.0.0.1:6379) and --json (NDJSON out). Bad input gives one clear line and a non-zero exit, never a trace.
import { parseArgs } from 'node:util';
import { describeError, isUCoreError, redactUrl } from '../core/index';
import { type CliCommand, int, type OptionSpec, UsageError, type Values } from './command';
import { CliContext, DEFAULT_URL } from './context';
import { closed, watchOutput } from './output';
import { contractCheckCommand, contractLintCommand } from './commands/contract';
import { contractInferCommand } from './commands/contract-infer';
import { contractDriftCommand } from './commands/contract-drift';
import { compareCommand } from './commands/compare';
import { dedupCheckCommand } from './commands/dedup';
import { demoCommand } from './commands/demo';
import { publishCommand } from './commands/publish';
import { recordCommand } from './commands/record';
import { replayCommand } from './commands/replay';
import { statsCommand } from './commands/stats';
import { storeAppendCommand, storeGetCommand } from './commands/store';
import { tailCommand } from './commands/tail';
import { testCommand } from './commands/test';
import { topologyCommand } from './commands/topology';
import { flowsCommand } from './commands/flows';
import { sagasCommand } from './commands/sagas';
import { traceCommand } from './commands/trace';
import { exportCommand, importCommand } from './commands/transfer';
import { deadLettersCommand, redriveCommand } from './commands/dead-letters';

declare const UCORE_VERSION: string | undefined;

const COMMANDS: CliCommand[] = [
  publishCommand, tailCommand, storeAppendCommand, storeGetCommand, replayCommand, recordCommand, compareCommand, testCommand,
  dedupCheckCommand, statsCommand, topologyCommand, demoCommand, flowsCommand, traceCommand, sagasCommand,
  contractLintCommand, contractCheckCommand, contractInferCommand, contractDriftCommand, exportCommand, importCommand, deadLettersCommand, redriveCommand,
];

const GLOBAL_OPTIONS: OptionSpec = {
  url: { type: 'string', short: 'u' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

function usage(): string {
  return [
    'ucore — publish, tail, store, replay and check events on Redis',
    '',
    'Usage:',
    ...COMMANDS.map((c) => `  ${c.usage.split('\n').join('\n  ')}\n      ${c.summary}`),
    '',
    'Global options:',
    `  --url, -u URL     redis://[user:pass@]host:port/db, rediss://… (TLS) or embedded; default $UCORE_REDIS_URL or ${DEFAULT_URL}`,
    '                    (a password may also come from $UCORE_REDIS_PASSWORD, which keeps it out of the process list)',
    '  --json            one JSON object per line on stdout',
    '  --timeout MS      connect timeout (default 5000)',
    '  --verbose, -v     connection details on stderr',
    '  --help, -h        this text; --version prints the version',
  ].join('\n');
}

function findCommand(args: string[]): { command: CliCommand; rest: string[] } | null {
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    if (words.every((w, i) => args[i] === w)) return { command: c, rest: args.slice(words.length) };
  }
  return null;
}

export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  // A closed stdout (`ucore … | head -1`) stops the command: output ends, long-running commands are cancelled.
  watchOutput(() => controller.abort());
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`${typeof UCORE_VERSION === 'string' ? UCORE_VERSION : 'dev'}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
    const hint = group.length ? `: try ${group.map((c) => `"ucore ${c.name}"`).join(' or ')}` : '; run "ucore --help"';
    process.stderr.write(`ucore: unknown command "${argv.slice(0, group.length ? 2 : 1).join(' ')}"${hint}\n`);
    return 2;
  }
  const { command, rest } = found;
  let ctx: CliContext | undefined;
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    if (values.help) {
      process.stdout.write(`${command.usage}\n  ${command.summary}\n`);
      return 0;
    }
    const [min, max] = command.positionals;
    if (positionals.length < min || positionals.length > max) {
      throw new UsageError(positionals.length < min ? 'missing argument' : `unexpected argument "${positionals[max]}"`);
    }
    const url = (values.url as string | undefined) ?? process.env.UCORE_REDIS_URL ?? DEFAULT_URL;
    ctx = new CliContext({
      url,
      json: !!values.json,
      timeoutMs: int(values as Values, 'timeout', { min: 100, max: 600_000 }) ?? 5000,
      verbose: !!values.verbose,
    }, controller.signal);
    const code = await command.run(ctx, positionals, values as Values);
    return closedOutputCode() ?? (typeof code === 'number' ? code : 0);
  } catch (e) {
    // Whatever failed after the reader went away (a cancelled read, a write) is no news to anyone.
    const quiet = closedOutputCode();
    if (quiet !== undefined) return quiet;
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`ucore ${command.name}: ${redactUrl((e as Error).message)}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`ucore ${command.name}: ${redactUrl(isUCoreError(e) ? e.message : describeError(e))}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await ctx?.dispose();
  }
}

/** 0 when stdout's reader went away (as `cat` and `grep` do), 1 when writing failed otherwise; undefined while open. */
function closedOutputCode(): number | undefined {
  if (!closed.stdout) return undefined;
  return closed.stdout === 'gone' ? 0 : 1;
}

/** Exit only once stdout and stderr have drained: a piped stdout is asynchronous, and exiting early loses lines. */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  const open = (['stdout', 'stderr'] as const).filter((which) => !closed[which]).map((which) => process[which]);
  let pending = open.length;
  if (pending === 0) process.exit(code);
  const done = () => { if (--pending === 0) process.exit(code); };
  for (const s of open) s.write('', done);
}

/** Runs the command line `argv` and exits with its code once output has drained (dist/cli.js calls this). */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => exitAfterFlush(code),
    (e) => {
      process.stderr.write(`ucore: ${redactUrl(describeError(e))}\n`);
      exitAfterFlush(1);
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
