// Entry points: read a contract file (AsyncAPI 3.0, or a plain JSON Schema bound by settings), gather a workspace's
// contracts into one ContractSet, and lint a file (the document's own errors, each with its line and column).
import { contractFromAsyncApi } from './asyncapi';
import { ContractSet } from './contract-set';
import { contractFromJsonSchema, type SchemaBinding } from './json-schema-file';
import { loadContractLibs } from './libs';
import { readSource } from './source';
import type { Contract, ContractProblem } from './types';

/** Reads a contract from its text; problems are in `contract.problems`, it never throws on a bad document. */
export async function loadContract(file: string, text: string, binding?: SchemaBinding): Promise<Contract> {
  const libs = await loadContractLibs();
  const src = readSource(libs.yaml, file, text);
  const contract = binding ? contractFromJsonSchema(src, binding, libs) : contractFromAsyncApi(src, libs);
  return { ...contract, problems: dedupe(contract.problems) };
}

export async function createContractSet(contracts: readonly Contract[]): Promise<ContractSet> {
  return new ContractSet(contracts, await loadContractLibs());
}

/** Every problem of a contract, including schemas the validator refuses to compile (which then accept anything). */
export async function lintContract(file: string, text: string, binding?: SchemaBinding): Promise<ContractProblem[]> {
  const contract = await loadContract(file, text, binding);
  const set = await createContractSet([contract]);
  const problems = [...contract.problems];
  for (const channel of contract.channels) {
    for (const m of channel.messages) {
      const p = set.compileProblem(m);
      if (p) problems.push({ ...contract.locate(m.payloadPointer ?? m.pointer), severity: 'error', message: `the payload schema of "${m.eventType}" cannot be compiled (${p}); it is not checked` });
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

function dedupe(problems: readonly ContractProblem[]): ContractProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.pointer}\u0000${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
