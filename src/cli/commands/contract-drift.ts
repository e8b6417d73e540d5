// `ucore contract drift <file> [--for SECONDS] [--history]`: where the running system and the contract have grown
// apart: event types and properties seen but not in the contract, contract channels without traffic or subscribers,
// streams missing or without their consumer groups. One line per finding, then a summary; exit 1 when any was found.
import { contractDrift, loadContract, DEFAULT_DRIFT_SECONDS } from '../../core/index';
import { type CliCommand, num, UsageError } from '../command';
import { safeText } from '../output';
import { problemLine, readContractFile } from './contract';

export const contractDriftCommand: CliCommand = {
  name: 'contract drift',
  usage: 'ucore contract drift <asyncapi.yaml> [--for SECONDS] [--history]',
  summary: `watches the contract's channels and streams for --for seconds (default ${DEFAULT_DRIFT_SECONDS}; with --history their streams' newest entries too) ` +
    'and lists drift: unknown event types and properties, channels without traffic or subscribers, missing streams and consumer groups; exit 1 when any',
  options: { for: { type: 'string' }, history: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx, [file], values) {
    const seconds = num(values, 'for', { min: 0 });
    const contract = await loadContract(file!, await readContractFile(file!));
    for (const p of contract.problems) ctx.out.note(problemLine(p));
    if (contract.channels.length === 0) throw new UsageError(`${file} has no channels`);
    const transport = await ctx.connect();
    const report = await contractDrift(transport, contract, {
      seconds, history: values.history === true, signal: ctx.signal,
      onListening: () => ctx.out.note(`watching ${contract.channels.length} contract channel${contract.channels.length === 1 ? '' : 's'} for ${seconds ?? DEFAULT_DRIFT_SECONDS} s (Ctrl+C to stop early)`),
    });
    for (const f of report.findings) {
      const where = `${f.schema.file}:${f.schema.line}:${f.schema.column}`;
      ctx.out.record(
        { kind: f.kind, channel: f.channel, event_type: f.eventType ?? null, property: f.property ?? null, count: f.count ?? null, message: f.message, schema: f.schema },
        `${f.kind.padEnd(18)}  ${safeText(f.channel, 80)}  ${safeText(f.message, 300)}${f.count !== undefined ? ` (${f.count} event${f.count === 1 ? '' : 's'})` : ''}  (${safeText(where, 200)})`,
      );
    }
    ctx.out.record({ summary: { findings: report.findings.length, observed: report.observed } },
      `${report.findings.length} drift finding${report.findings.length === 1 ? '' : 's'}; ${report.observed} event${report.observed === 1 ? '' : 's'} seen on the contract's channels`);
    return report.findings.length ? 1 : 0;
  },
};
