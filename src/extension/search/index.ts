// The commands of issue 17 (search, go to time, export / import, dead letters): registered at activation, their code
// loaded on first use with import(), so activation never parses the expression language or the transfer code.
import { Commands } from '../constants';
import type { CommandContext } from '../commands/context';
import type { Registrar } from '../commands/registrar';

export function registerSearchCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.streamSearch, 'Search Stream', async (arg?: unknown, args?: unknown) => {
    const { searchStreamCommand } = await import('./searchStream.js');
    return searchStreamCommand(ctx, ctx.searchResults, arg, (args ?? {}) as object);
  });
}
