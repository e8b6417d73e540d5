// The palette commands about contracts and live traffic: infer a contract from it, and show where they drifted apart.
import { Commands } from '../constants';
import type { CommandContext } from '../commands/context';
import type { Registrar } from '../commands/registrar';
import { generateContract, type GenerateContractArgs } from './generateContract';
import { showContractDrift, type ShowDriftArgs } from './showDrift';

export function registerContractCommands(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.contractGenerate, 'Generate Contract from Traffic', (args?: GenerateContractArgs) => generateContract(ctx, args && Array.isArray(args.sources) ? args : undefined));
  r.register(Commands.contractDrift, 'Show Contract Drift', (args?: ShowDriftArgs) => showContractDrift(ctx, args && typeof args === 'object' && !('kind' in args) ? args : undefined));
}
