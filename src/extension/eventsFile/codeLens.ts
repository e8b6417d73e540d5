// CodeLens of `.events` files: "Publish All (N)" at the top, and above each event "▶ Publish to X" (or "▶ Publish
// to shard X" for a shard channel) and "Append to Stream…" (the other way round for a block that names a stream).
// "…" means it will ask where.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { shorten } from '../format';
import type { EventsDocuments } from './documents';
import { type EventBlock, type EventsTarget, targetOf } from '../../core/index';

/** Above this many events, lenses are shown for the first ones only (Publish All still covers the file). */
const MAX_BLOCKS_WITH_LENSES = 2_000;
const NAME_IN_TITLE = 40;

export class EventsCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly documents: EventsDocuments) {}

  provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    const parsed = this.documents.get(doc);
    if (parsed.blocks.length === 0) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const invalid = parsed.blocks.filter((b) => b.jsonError).length;
    const lenses = [
      new vscode.CodeLens(top, {
        title: `Publish All (${parsed.blocks.length})`,
        command: Commands.eventsFilePublishAll,
        arguments: [doc.uri],
        tooltip: `Send every event of this file in order${invalid ? ` (${invalid} with invalid JSON will be skipped)` : ''}${parsed.truncated ? `; ${parsed.truncated.reason}` : ''}`,
      }),
    ];
    for (const block of parsed.blocks.slice(0, MAX_BLOCKS_WITH_LENSES)) {
      if (token.isCancellationRequested) break;
      lenses.push(...blockLenses(doc, block));
    }
    return lenses;
  }
}

function blockLenses(doc: vscode.TextDocument, block: EventBlock): vscode.CodeLens[] {
  const range = new vscode.Range(block.startLine, 0, block.startLine, 0);
  const target = targetOf(block);
  const name = target ? shorten(target.name, NAME_IN_TITLE) : '';
  const publish: vscode.Command = {
    ...publishTexts(target, name),
    command: Commands.eventsFilePublishBlock,
    arguments: [doc.uri, block.index],
  };
  const append: vscode.Command = {
    title: target?.kind === 'stream' ? `▶ Append to ${name}` : 'Append to Stream…',
    command: Commands.eventsFileAppendBlock,
    arguments: [doc.uri, block.index],
    tooltip: target?.kind === 'stream' ? `XADD this event to stream ${shorten(target.name, 200)}` : 'XADD this event to a stream (asks which)',
  };
  const ordered = target?.kind === 'stream' ? [append, publish] : [publish, append];
  return ordered.map((c) => new vscode.CodeLens(range, c));
}

/** The publish lens sends to the block's channel or shard channel; a stream block's publish lens asks for a channel. */
function publishTexts(target: EventsTarget | undefined, name: string): { title: string; tooltip: string } {
  switch (target?.kind) {
    case 'channel':
      return { title: `▶ Publish to ${name}`, tooltip: `PUBLISH this event on channel ${shorten(target.name, 200)}` };
    case 'shard':
      return { title: `▶ Publish to shard ${name}`, tooltip: `SPUBLISH this event on shard channel ${shorten(target.name, 200)}` };
    case 'stream':
      return { title: 'Publish to Channel…', tooltip: 'PUBLISH this event on a channel (asks which)' };
    default:
      return { title: '▶ Publish…', tooltip: 'PUBLISH this event on a channel (asks which)' };
  }
}
