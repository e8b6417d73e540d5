// The contract check on every event that leaves the editor (the Publisher's beforeSend): an event that breaks the
// workspace's contract is not sent until the user says "Send Anyway" after seeing what is wrong and where. On a
// production connection the question is a pick list whose first, highlighted row is Cancel (as every production
// confirmation: Enter must not send); elsewhere a modal warning. Either way never silent.
import * as vscode from 'vscode';
import { AbortedError, describeIssue, describeEventTarget, type ContractCheck, type EventTarget } from '../../core/index';
import type { BeforeSend, OutgoingEvent } from '../publishing/publisher';
import { plainMessage } from '../notify';
import type { ContractService } from './contractService';

export type ViolationAnswer = 'send' | 'cancel' | 'open';

/** Asks what to do about a violating event; tests replace it. */
export type ViolationPrompt = (outgoing: OutgoingEvent, result: ContractCheck) => Promise<ViolationAnswer>;

const SHOWN_ISSUES = 5;

export function violationSummary(target: EventTarget, result: ContractCheck): { title: string; lines: string[] } {
  const type = result.eventType || 'the event';
  const contract = result.contract ? ` (${result.contract.title})` : '';
  const title = `${type.slice(0, 80)} breaks the contract for ${describeEventTarget(target).slice(0, 120)}${contract}`;
  const lines = result.issues.slice(0, SHOWN_ISSUES).map((i) => `${describeIssue(i)}${i.schema ? `  — ${i.schema.file}:${i.schema.line}` : ''}`);
  if (result.issues.length > SHOWN_ISSUES) lines.push(`… and ${result.issues.length - SHOWN_ISSUES} more`);
  return { title, lines };
}

export const askAboutViolation: ViolationPrompt = async (outgoing, result) => {
  const { title, lines } = violationSummary(outgoing.target, result);
  if (outgoing.connection.production) {
    const cancel: vscode.QuickPickItem = { label: '$(close) Cancel', description: 'Enter or Escape: do not send' };
    const open: vscode.QuickPickItem = { label: '$(go-to-file) Open Contract', description: 'at the first rule broken; do not send' };
    const send: vscode.QuickPickItem = { label: `$(warning) Send Anyway to PRODUCTION "${outgoing.connection.name}"`, detail: lines.join('; ') };
    const pick = await vscode.window.showQuickPick([cancel, open, send], { title: plainMessage(title), placeHolder: plainMessage(lines[0] ?? ''), ignoreFocusOut: true });
    return pick === send ? 'send' : pick === open ? 'open' : 'cancel';
  }
  // A modal focuses its first button: Open Contract first, so Enter never sends an event that breaks the contract.
  const pick = await vscode.window.showWarningMessage(plainMessage(title), { modal: true, detail: plainMessage(lines.join('\n')) }, 'Open Contract', 'Send Anyway');
  return pick === 'Send Anyway' ? 'send' : pick === 'Open Contract' ? 'open' : 'cancel';
};

/** A batch (a replay) where some events break the contract: how many, and the first one's problems. */
export interface BatchViolations {
  readonly target: EventTarget;
  readonly connection: { name: string; production?: boolean };
  readonly total: number;
  readonly violating: number;
  readonly first: ContractCheck;
  readonly firstId: string;
}

/** Asks once for a whole batch; tests replace it. */
export type BatchViolationPrompt = (batch: BatchViolations) => Promise<'send' | 'cancel'>;

export const askAboutBatch: BatchViolationPrompt = async (b) => {
  const { lines } = violationSummary(b.target, b.first);
  const title = `${b.violating} of ${b.total} events break the contract for ${describeEventTarget(b.target).slice(0, 120)}`;
  const detail = `First (${b.firstId.slice(0, 40)}): ${lines.join('; ')}`;
  if (b.connection.production) {
    const cancel: vscode.QuickPickItem = { label: '$(close) Cancel', description: 'Enter or Escape: send nothing' };
    const send: vscode.QuickPickItem = { label: `$(warning) Send all ${b.total} anyway to PRODUCTION "${b.connection.name}"`, detail };
    return (await vscode.window.showQuickPick([cancel, send], { title: plainMessage(title), placeHolder: plainMessage(detail), ignoreFocusOut: true })) === send ? 'send' : 'cancel';
  }
  // Cancel is the first (focused) button: Enter never sends a batch that breaks the contract.
  const pick = await vscode.window.showWarningMessage(plainMessage(title), { modal: true, detail: plainMessage(detail) }, 'Cancel Replay', 'Send Anyway');
  return pick === 'Send Anyway' ? 'send' : 'cancel';
};

/** Opens a contract file at the rule an issue names. */
export async function openRule(contracts: ContractService, result: ContractCheck): Promise<void> {
  const schema = result.issues.find((i) => i.schema)?.schema;
  const uri = schema && contracts.uriOf(schema.file);
  if (!uri || !schema) return;
  const at = new vscode.Position(schema.line - 1, schema.column - 1);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, at), preview: true });
}

export class ContractPublishCheck {
  /** Replaced by tests (the modal cannot be clicked from an extension-host test). */
  prompt: ViolationPrompt = askAboutViolation;
  /** Asked once for a replay's batch; replaced by tests. */
  batchPrompt: BatchViolationPrompt = askAboutBatch;

  constructor(private readonly contracts: ContractService, private readonly log: { info(m: string): void }) {}

  readonly beforeSend: BeforeSend = async (outgoing) => {
    const set = await this.contracts.current();
    if (!set) return;
    const result = outgoing.event !== undefined ? set.check(outgoing.target, outgoing.event) : set.checkText(outgoing.target, outgoing.text ?? '');
    if (!result.covered || result.issues.length === 0) return;
    const answer = await this.prompt(outgoing, result);
    const what = `${result.eventType || 'event'} to ${describeEventTarget(outgoing.target)} on "${outgoing.connection.name}"`;
    if (answer === 'send') {
      this.log.info(`sent despite the contract (${result.issues.length} issue${result.issues.length === 1 ? '' : 's'}): ${what}`);
      return;
    }
    if (answer === 'open') await openRule(this.contracts, result);
    throw new AbortedError(`not sent: ${what} breaks the contract`);
  };
}
