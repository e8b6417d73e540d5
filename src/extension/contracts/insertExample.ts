// "Insert Example Event from Contract" in a `.events` file: the contract's message examples (AsyncAPI `examples`,
// or a JSON Schema's `examples`), picked by event type and channel, inserted as a block with its `###` target.
import * as vscode from 'vscode';
import type { ContractSet } from '../../core/index';
import type { ContractService } from './contractService';

export interface ExampleChoice { eventType: string; address: string; kind: string; name?: string; payload: unknown }

const HEADER: Readonly<Record<string, string>> = { pubsub: 'channel', shard: 'shard', stream: 'stream' };
const MAX_CHOICES = 500;

export function exampleChoices(set: ContractSet): ExampleChoice[] {
  const out: ExampleChoice[] = [];
  for (const c of set.contracts) {
    for (const ch of c.channels) {
      for (const m of ch.messages) {
        for (const e of m.examples) {
          if (out.length < MAX_CHOICES) out.push({ eventType: m.eventType, address: ch.address, kind: ch.kind, name: e.name, payload: e.payload });
        }
      }
    }
  }
  return out;
}

/** The block text: `### channel: ADDRESS` and the example as indented JSON. */
export function exampleBlock(choice: ExampleChoice): string {
  return `### ${HEADER[choice.kind] ?? 'channel'}: ${choice.address}\n${JSON.stringify(choice.payload, null, 2)}\n`;
}

/**
 * Inserts an example at the end of the active `.events` editor. `pick` (tests, scripts) chooses by event type and
 * address without the quick pick. Returns the inserted text, undefined when nothing was inserted.
 */
export async function insertExample(contracts: ContractService, pick?: { eventType: string; address?: string }): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'ucore-events') {
    void vscode.window.showInformationMessage('Open a .events file to insert an example event into it.');
    return undefined;
  }
  const set = await contracts.current();
  const choices = set ? exampleChoices(set) : [];
  if (!choices.length) {
    void vscode.window.showInformationMessage('No contract example in the workspace: add `examples` to a message of an AsyncAPI file (ucore.contracts.files).');
    return undefined;
  }
  let chosen: ExampleChoice | undefined;
  if (pick) {
    chosen = choices.find((c) => c.eventType === pick.eventType && (pick.address === undefined || c.address === pick.address));
  } else {
    const item = await vscode.window.showQuickPick(choices.map((c) => ({ label: c.eventType, description: `${HEADER[c.kind]} ${c.address}`, detail: c.name, choice: c })), {
      title: 'Insert Example Event from Contract', placeHolder: 'event type', matchOnDescription: true,
    });
    chosen = item?.choice;
  }
  if (!chosen) return undefined;
  const doc = editor.document;
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  const text = `${doc.getText().trim() === '' || doc.getText().endsWith('\n\n') ? '' : doc.getText().endsWith('\n') ? '\n' : '\n\n'}${exampleBlock(chosen)}`;
  await editor.edit((b) => b.insert(end, text));
  return text;
}
