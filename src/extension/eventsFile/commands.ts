// The publish commands of `.events` files. Each takes (uri, blockIndex) from its CodeLens; from the palette they act
// on the active editor and the event under the cursor. "Publish" sends to the block's channel (PUBLISH) or shard
// channel (SPUBLISH), "Append" to its stream (XADD); either asks when the block names no target of its kind.
// Order of a send: the JSON must parse (else nothing is sent), the target is known or asked, envelope/schema problems
// are confirmed, the connection is ready, services.guard() agrees (trust, production), then placeholders are
// expanded and the event goes out through the Publisher.
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import {
  ECOMMERCE_CHANNEL,
  BadInputError,
  describeError,
  blockAtLine,
  checkEvent,
  type EventBlock,
  describeEventIssue,
  type EventIssue,
  type EventsTarget,
  expandBlock,
  newExpansionContext,
  type ParsedEventsFile,
  sendProblem,
  TARGET_NOUN,
  targetOf,
  type TargetKind,
  toEvent,
  validateTargetName,
} from '../../core/index';
import { shorten } from '../format';
import type { Publisher, PublishResult } from '../publishing/publisher';
import type { ExtensionServices } from '../services';
import { type EventsDocuments, isEventsDocument } from './documents';

/** What the user asked for: a publish lens (to a channel or shard channel) or an append lens (to a stream). */
type SendMode = 'publish' | 'append';
/** The kind asked for when a block names no target for the mode. */
type AskedKind = 'channel' | 'stream';

/** Above this many events Publish All shows a cancellable notification (below: the status bar spinner). */
const PROGRESS_NOTIFICATION_ABOVE = 20;

/** What a block send returns (for scripts and tests). */
export interface BlockSendResult {
  result: PublishResult;
  event: Record<string, unknown>;
}

export interface PublishAllSummary {
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  cancelled: boolean;
  results: PublishResult[];
}

export class EventsFileCommands {
  /** The last names typed into the "which channel / stream" boxes, offered again next time. */
  private readonly lastAsked: Record<AskedKind, string | undefined> = { channel: undefined, stream: undefined };
  private readonly log;

  constructor(private readonly services: ExtensionServices, private readonly publisher: Publisher, private readonly documents: EventsDocuments) {
    this.log = services.log.scoped('events-file');
  }

  /** Sends one block: `mode` is where the user clicked (publish → its channel or shard channel, append → a stream). */
  async sendBlock(uri: vscode.Uri | undefined, index: number | undefined, mode: SendMode): Promise<BlockSendResult | undefined> {
    const doc = await this.documentFor(uri);
    const parsed = this.documents.get(doc);
    const block = this.blockFor(doc, parsed, index);
    const where = `event ${block.index + 1} (line ${block.startLine + 1})`;
    if (!vscode.workspace.isTrusted) {
      await this.services.guard(`${mode} events`);
      return undefined;
    }
    assertSendable(block, where);

    const own = targetOf(block);
    const target = own && modeOf(own.kind) === mode ? own : await this.askTarget(mode === 'publish' ? 'channel' : 'stream', `Where should ${where} go?`);
    if (!target) return undefined;

    const ctx = newExpansionContext();
    const value = expandBlock(block, ctx, where);
    const issues = checkEvent(value, this.services.registry);
    if (issues.length && !(await confirmIssues(`${typeOf(value)} (${where}) has ${plural(issues.length, 'problem')}`, issues, 'Send Anyway'))) return undefined;

    const conn = await this.services.requireConnection();
    if (!(await this.services.guard(`${modeOf(target.kind)} ${typeOf(value)} to ${TARGET_NOUN[target.kind]} ${shorten(target.name, 80)}`, conn))) return undefined;

    const event = toEvent(value, issues);
    const result = await this.publisher.send(conn, target, event);
    const message = this.publisher.describe(result);
    this.log.info(`${message} [${where} of ${doc.uri.toString(true)}]`);
    vscode.window.setStatusBarMessage(`$(check) ${message}`, 5_000);
    return { result, event };
  }

  /** Sends every event of the file in order; events with invalid JSON are skipped after asking. */
  async publishAll(uri: vscode.Uri | undefined): Promise<PublishAllSummary | undefined> {
    const doc = await this.documentFor(uri);
    const parsed = this.documents.get(doc);
    if (parsed.blocks.length === 0) {
      void showInfo('This file has no events to publish. Write one JSON event per block, blocks separated by ### lines.');
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      await this.services.guard(`publish ${plural(parsed.blocks.length, 'event')}`);
      return undefined;
    }
    const broken = parsed.blocks.filter((b) => sendProblem(b) !== undefined);
    let sendable = parsed.blocks.filter((b) => sendProblem(b) === undefined);
    if (sendable.length === 0) throw new BadInputError(`none of the ${plural(parsed.blocks.length, 'event')} can be sent: ${sendProblem(broken[0])} (line ${broken[0].startLine + 1})`);

    // Events that say nothing about where they go: ask once for all of them.
    const untargeted = sendable.filter((b) => !targetOf(b));
    let fallback: EventsTarget | undefined;
    if (untargeted.length) {
      fallback = await this.askTarget('channel', `${plural(untargeted.length, 'event')} of this file name no channel or stream: publish ${untargeted.length === 1 ? 'it' : 'them'} to which channel?`);
      if (!fallback) return undefined;
    }

    // Envelope / schema problems, checked on the sample values the diagnostics use.
    const withIssues = sendable.filter((b) => checkEvent(b.json, this.services.registry).length > 0);
    if (broken.length || withIssues.length) {
      const lines: string[] = [];
      if (broken.length) lines.push(`${plural(broken.length, 'event')} cannot be sent and will be skipped (first: line ${broken[0].startLine + 1}: ${sendProblem(broken[0])}).`);
      if (withIssues.length) lines.push(`${plural(withIssues.length, 'event')} ${withIssues.length === 1 ? 'has' : 'have'} envelope or schema problems (first: line ${withIssues[0].startLine + 1}).`);
      const all = withIssues.length ? 'Send Anyway' : 'Send the Others';
      const skip = 'Skip Events with Problems';
      const buttons = withIssues.length && withIssues.length < sendable.length ? [all, skip] : [all];
      const pick = await showWarning('Some events of this file have problems.', { modal: true, detail: lines.join('\n') }, ...buttons);
      if (!pick) return undefined;
      if (pick === skip) sendable = sendable.filter((b) => !withIssues.includes(b));
    }

    const conn = await this.services.requireConnection();
    if (!(await this.services.guard(`publish ${plural(sendable.length, 'event')} from ${shorten(baseName(doc.uri), 80)}`, conn))) return undefined;

    const summary: PublishAllSummary = { total: parsed.blocks.length, sent: 0, skipped: parsed.blocks.length - sendable.length, failed: 0, cancelled: false, results: [] };
    const perTarget = new Map<string, number>();
    let failure: string | undefined;
    const many = sendable.length > PROGRESS_NOTIFICATION_ABOVE;
    await vscode.window.withProgress(
      {
        location: many ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
        title: `Publishing ${plural(sendable.length, 'event')}`,
        cancellable: many,
      },
      async (progress, token) => {
        const ctx = newExpansionContext();
        for (let k = 0; k < sendable.length; k++) {
          if (token.isCancellationRequested) {
            summary.cancelled = true;
            break;
          }
          const block = sendable[k];
          const where = `event ${block.index + 1} (line ${block.startLine + 1})`;
          const target = targetOf(block) ?? fallback!;
          ctx.seq = k + 1;
          try {
            const value = expandBlock(block, ctx, where);
            const event = toEvent(value, checkEvent(value, this.services.registry));
            const result = await this.publisher.send(conn, target, event);
            summary.results.push(result);
            summary.sent++;
            const key = `${TARGET_NOUN[target.kind]} ${shorten(target.name, 60)}`;
            perTarget.set(key, (perTarget.get(key) ?? 0) + 1);
          } catch (e) {
            // Stop at the first failure: later events often depend on earlier ones (order_created before order_paid).
            summary.failed++;
            failure = `${where} failed: ${describeError(e)}`;
            this.log.error(`publish all: ${failure}`);
            break;
          }
          progress.report({ increment: 100 / sendable.length, message: `${k + 1} of ${sendable.length}` });
        }
      },
    );

    const spread = [...perTarget].map(([t, n]) => `${n} to ${t}`).join(', ');
    const head = `Published ${summary.sent} of ${plural(sendable.length, 'event')}${spread ? ` (${spread})` : ''}`;
    this.log.info(`${head} from ${doc.uri.toString(true)}${summary.skipped ? `; skipped ${summary.skipped}` : ''}${summary.cancelled ? '; cancelled' : ''}`);
    if (failure) {
      void showError(`${head}. Stopped: ${failure}`, 'Show Log').then((p) => p && this.services.log.show(false));
    } else if (summary.cancelled) {
      void showWarning(`${head}. Cancelled.`);
    } else {
      void showInfo(`${head}${summary.skipped ? `; ${summary.skipped} skipped` : ''}.`);
    }
    return summary;
  }

  private async askTarget(kind: AskedKind, prompt: string): Promise<EventsTarget | undefined> {
    const fallback = kind === 'channel' ? ECOMMERCE_CHANNEL : this.services.settings.get('storeStreamKey');
    const name = await vscode.window.showInputBox({
      title: kind === 'channel' ? 'Publish to channel' : 'Append to stream',
      prompt: `${prompt} (${kind === 'channel' ? 'a channel name' : 'a stream key'}; add "### ${kind}: NAME" above the event to skip this question)`,
      value: this.lastAsked[kind] ?? fallback,
      ignoreFocusOut: true,
      validateInput: (v) => validateTargetName(v, kind),
    });
    if (name === undefined) return undefined;
    const trimmed = name.trim();
    this.lastAsked[kind] = trimmed;
    return { kind, name: trimmed };
  }

  private async documentFor(uri: vscode.Uri | undefined): Promise<vscode.TextDocument> {
    if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isEventsDocument(doc)) throw new BadInputError('open a .events file first');
    return doc;
  }

  private blockFor(doc: vscode.TextDocument, parsed: ParsedEventsFile, index: number | undefined): EventBlock {
    if (typeof index === 'number') {
      const b = parsed.blocks[index];
      if (!b) throw new BadInputError(`the file has changed: it has no event ${index + 1} any more`);
      return b;
    }
    const editor = vscode.window.activeTextEditor;
    const line = editor && editor.document === doc ? editor.selection.active.line : 0;
    const b = blockAtLine(parsed, line) ?? parsed.blocks[0];
    if (!b) throw new BadInputError('this file has no event to send');
    return b;
  }
}

function assertSendable(block: EventBlock, where: string): void {
  const problem = sendProblem(block);
  if (problem) throw new BadInputError(`${where} cannot be sent: ${problem}`);
}

async function confirmIssues(title: string, issues: EventIssue[], button: string): Promise<boolean> {
  const shown = issues.slice(0, 5).map((i) => `• ${shorten(describeEventIssue(i), 300)}`);
  if (issues.length > 5) shown.push(`• … and ${issues.length - 5} more (see the Problems view)`);
  const pick = await showWarning(title, { modal: true, detail: shown.join('\n') }, button);
  return pick === button;
}

function modeOf(kind: TargetKind): SendMode {
  return kind === 'stream' ? 'append' : 'publish';
}

function typeOf(value: Record<string, unknown>): string {
  return typeof value.event_type === 'string' && value.event_type ? value.event_type : 'event';
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString(true);
}

