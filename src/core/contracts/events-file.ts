// Contract problems of a `.events` file: each block with a target and a JSON event is checked as it would be sent
// (the envelope fields sending fills in are filled first), each issue placed on the property it names.
import { fillMissing, isPlainObject, locate, type EventsProblem } from '../events-file/check';
import { targetOf, type ParsedEventsFile } from '../events-file/parser';
import { describeIssue } from '../envelope/issues';
import type { ContractSet } from './contract-set';

export function checkEventsFileContracts(file: ParsedEventsFile, contracts: ContractSet, max = 1000): EventsProblem[] {
  const out: EventsProblem[] = [];
  for (const block of file.blocks) {
    if (out.length >= max) break;
    const target = targetOf(block);
    if (!target || block.jsonError || block.json === undefined) continue;
    const event = isPlainObject(block.json) ? fillMissing(block.json) : block.json;
    const r = contracts.check(target, event);
    for (const issue of r.issues) {
      const range = locate(block, issue.path);
      const where = issue.schema ? ` (${issue.schema.file}:${issue.schema.line})` : '';
      out.push({
        line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn, blockIndex: block.index,
        severity: 'error', code: 'contract', message: `contract: ${describeIssue(issue)}${where}`,
        rule: issue.schema ? { file: issue.schema.file, line: issue.schema.line, column: issue.schema.column } : undefined,
      });
    }
  }
  return out.slice(0, max);
}
