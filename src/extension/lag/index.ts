// The command of lag over time (issue 17): registered at activation, its code loaded on first use.
import { Commands } from '../constants';
import type { CommandContext } from '../commands/context';
import type { Registrar } from '../commands/registrar';

export function registerLagCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.consumerClaimPending, 'Claim Pending', async (arg?: unknown, options?: unknown) =>
    (await import('./claimPending.js')).claimPendingCommand(ctx, arg, (options ?? {}) as object));
}
