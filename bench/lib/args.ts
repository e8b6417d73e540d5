// The command line both benchmark entry points take: --quick, --runs N (≥ 3), --only a,b (case names).
export interface BenchArgs {
  quick: boolean;
  runs: number;
  only: string[] | null;
}

export function parseBenchArgs(argv: string[], caseNames: string[], command: string): BenchArgs {
  const args: BenchArgs = { quick: false, runs: 3, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--runs' || a.startsWith('--runs=')) args.runs = Number(value());
    else if (a === '--only' || a.startsWith('--only=')) args.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--help' || a === '-h') {
      console.log(`usage: ${command} -- [--quick] [--runs N (≥ 3)] [--only ${caseNames.join(',')}]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a.slice(0, 80)} (see --help)`);
  }
  if (!Number.isInteger(args.runs) || args.runs < 3) throw new Error('--runs must be a whole number ≥ 3');
  const unknown = args.only?.filter((n) => !caseNames.includes(n)) ?? [];
  if (unknown.length) throw new Error(`unknown case(s) ${unknown.join(', ').slice(0, 200)}; cases: ${caseNames.join(', ')}`);
  return args;
}
