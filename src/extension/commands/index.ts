// One place that registers every command of the extension (the `.events` commands register in eventsFile/).
import { registerChannelCommands } from './channelCommands';
import { registerConnectionCommands } from './connectionCommands';
import type { CommandContext } from './context';
import { registerDedupCommand } from './dedupCommand';
import { registerDemoCommands } from './demo';
import { registerPublishCommands } from './publishCommands';
import { Registrar } from './registrar';
import { registerReplayCommand } from './replayCommand';
import { registerStreamCommands } from './streamCommands';
import { registerFlowCommands } from '../flows/flowCommands';
import { registerContractCommands } from '../contracts/contractCommands';
import { type FixtureFeatures, registerFixtureFeatures } from '../fixtures';
import { registerSearchCommands } from '../search/index';
import { registerLagCommands } from '../lag/index';

/** Registers everything; returns the ids registered (tests compare them with package.json) and the fixture features. */
export function registerCommands(ctx: CommandContext): { ids: string[]; fixtures: FixtureFeatures } {
  const r = new Registrar(ctx.extension.subscriptions, ctx.services.errors);
  registerConnectionCommands(r, ctx);
  registerPublishCommands(r, ctx);
  registerStreamCommands(r, ctx);
  registerChannelCommands(r, ctx);
  registerReplayCommand(r, ctx);
  registerDedupCommand(r, ctx);
  registerFlowCommands(r, ctx);
  registerContractCommands(r, ctx);
  const fixtures = registerFixtureFeatures(r, ctx, ctx.masking);
  registerSearchCommands(r, ctx);
  registerLagCommands(r, ctx);
  registerDemoCommands(r, ctx.services, ctx.demo, () => {
    ctx.explorer.channels.scheduleRefresh();
    // The demo creates streams and a consumer group within a second or two: show them without a manual refresh.
    setTimeout(() => ctx.explorer.streams.refresh(), 1500);
  });
  return { ids: r.ids, fixtures };
}
