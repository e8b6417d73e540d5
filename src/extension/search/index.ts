// The commands of issue 17 (search, go to time, the stream entries panel, export / import, dead letters): registered at activation, their code
// loaded on first use with import(), so activation never parses the expression language or the transfer code.
import { Commands } from '../constants';
import type { CommandContext } from '../commands/context';
import type { Registrar } from '../commands/registrar';

export function registerSearchCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.streamSearch, 'Search Stream', async (arg?: unknown, args?: unknown) => {
    const { searchStreamCommand } = await import('./searchStream.js');
    return searchStreamCommand(ctx, ctx.searchResults, arg, (args ?? {}) as object);
  });
  r.register(Commands.streamGoToTime, 'Go to Time', async (arg?: unknown, when?: unknown) => (await import('./goToTime.js')).goToTime(ctx, arg, when));
  r.register(Commands.streamOpenEntries, 'Open Stream Entries', async (arg?: unknown, at?: unknown) =>
    (await import('../entries/openStreamEntries.js')).openStreamEntries(ctx, arg, at));
  r.register(Commands.streamSeekPage, 'Show Page', async (row?: unknown) => (await import('./goToTime.js')).seekPage(ctx, row));
  r.register(Commands.deadLetterShow, 'Show Dead Letters', async (arg?: unknown) => (await import('./deadLetters.js')).showDeadLetters(ctx, arg));
  r.register(Commands.deadLetterOpen, 'Open Dead Letter', async (arg?: unknown) => (await import('./deadLetters.js')).openDeadLetter(ctx, arg));
  r.register(Commands.deadLetterRequeueEdited, 'Requeue Edited Dead Letter', async (uri?: unknown, target?: unknown) =>
    (await import('./deadLetters.js')).requeueEdited(ctx, uri, target as never));
  r.register(Commands.deadLetterRedrive, 'Redrive Dead Letters', async (arg?: unknown, args?: unknown) =>
    (await import('./deadLetters.js')).redriveGroup(ctx, arg, (args ?? {}) as object));
  r.register(Commands.streamExport, 'Export Entries', async (arg?: unknown, args?: unknown) => (await import('./transfer.js')).exportCommand(ctx, arg, (args ?? {}) as object));
  r.register(Commands.searchResultsExport, 'Export Search Results', async (args?: unknown) => {
    // From the view's title bar VS Code passes nothing; scripts pass `{ range: 'allMatches', out }`.
    const given = (args && typeof args === 'object' ? args : {}) as { range?: 'results' | 'allMatches' };
    return (await import('./transfer.js')).exportCommand(ctx, undefined, { range: 'results', ...given });
  });
  r.register(Commands.importNdjson, 'Import NDJSON', async (arg?: unknown, args?: unknown) => (await import('./transfer.js')).importCommand(ctx, arg, (args ?? {}) as object));
}
