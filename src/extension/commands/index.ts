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
import { registerSearchCommands } from '../search/index';

/** Registers everything; returns the ids registered (tests compare them with package.json). */
export function registerCommands(ctx: CommandContext): string[] {
  const r = new Registrar(ctx.extension.subscriptions, ctx.services.errors);
  registerConnectionCommands(r, ctx);
  registerPublishCommands(r, ctx);
  registerStreamCommands(r, ctx);
  registerChannelCommands(r, ctx);
  registerReplayCommand(r, ctx);
  registerDedupCommand(r, ctx);
  registerFlowCommands(r, ctx);
  registerSearchCommands(r, ctx);
  registerDemoCommands(r, ctx.services, ctx.demo, () => {
    ctx.explorer.channels.scheduleRefresh();
    // The demo creates streams and a consumer group within a second or two: show them without a manual refresh.
    setTimeout(() => ctx.explorer.streams.refresh(), 1500);
  });
  return r.ids;
}
