// "Check Duplicate": the guide's fingerprint of an event and whether it was seen within the TTL. The check is the
// real idempotency check (SET NX EX GET), so checking marks the event as seen: the message says so.
// The fingerprint comes from the JSON text as written (fingerprintJson): `12.0`, `1e+21`, big ints and NaN keep the
// form a Python service gave them, so the answer equals the guide's generate_fingerprint on the same text.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { Deduplicator, fingerprintJson, BadInputError, describeError } from '../../core/index';
import { Commands } from '../constants';
import { shorten } from '../format';
import type { CommandContext } from './context';
import { required } from './pickers';
import type { Registrar } from './registrar';

/** The fingerprint of an event's JSON text, or an error message (not JSON, not an object, nested too deep). */
function tryFingerprint(text: string): { fp: string } | { error: string } {
  try {
    return { fp: fingerprintJson(text) };
  } catch (e) {
    return { error: describeError(e) };
  }
}

const isEventText = (text: string) => 'fp' in tryFingerprint(text);

/** The selection, else the `###` block around the cursor in a .events file, else the whole document if it is JSON. */
function textFromEditor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const doc = editor.document;
  if (!editor.selection.isEmpty) return doc.getText(editor.selection);
  const lines = doc.getText().split(/\r?\n/);
  const line = editor.selection.active.line;
  let start = line;
  while (start > 0 && !/^###/.test(lines[start])) start--;
  if (/^###/.test(lines[start])) start++;
  let end = line;
  while (end < lines.length && !/^###/.test(lines[end])) end++;
  const block = lines.slice(start, end).join('\n').trim();
  if (block && isEventText(block)) return block;
  const all = doc.getText().trim();
  return isEventText(all) ? all : undefined;
}

export function registerDedupCommand(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.eventCheckDuplicate, 'Check Duplicate', async (arg?: unknown) => {
    const conn = await ctx.services.requireConnection();
    let text = typeof arg === 'string' ? arg : arg && typeof arg === 'object' ? JSON.stringify(arg) : textFromEditor();
    if (text === undefined) {
      text = required(await vscode.window.showInputBox({
        prompt: 'Event JSON to check (fingerprint of event_type, user_id, entity_id and data, as the guide computes it)',
        ignoreFocusOut: true,
        validateInput: (v) => (isEventText(v) ? undefined : 'A JSON object'),
      }));
    }
    const checked = tryFingerprint(text);
    if ('error' in checked) throw new BadInputError(`not an event: ${checked.error}`);
    const { fp } = checked;
    if (!(await ctx.services.guard(`mark event ${fp} as seen`, conn))) return undefined;
    const dedup = new Deduplicator(conn.transport);
    const { duplicate, key } = await dedup.check(text);
    ctx.services.log.info(`[dedup] ${key}: ${duplicate ? 'duplicate' : 'new'}`);
    const message = duplicate
      ? `Duplicate: an event with fingerprint ${fp} was seen within the last ${dedup.ttlSeconds} s (${shorten(key, 100)}).`
      : `New: fingerprint ${fp} was not seen before. Checking marked it as seen for ${dedup.ttlSeconds} s, so checking again reports a duplicate.`;
    void showInfo(message, 'Copy Fingerprint').then((pick) => {
      if (pick) void vscode.env.clipboard.writeText(fp);
    });
    return { fingerprint: fp, duplicate, key };
  });
}
