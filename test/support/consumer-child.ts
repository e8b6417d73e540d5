// A consumer-group worker in a process of its own, for the "consumer killed mid-batch" test: it reads a batch with
// GroupConsumer, handles the first `handleFirst` entries (printing `DONE <id>` for each), then prints `STUCK <id>`
// and hangs inside the handler, so the parent can SIGKILL it with the rest of the batch unacknowledged.
//   node consumer-child.js <url> <stream> <group> <consumer> <count> <handleFirst> [delayMs]
// With a huge handleFirst it never hangs (the soak kills it at random instead); delayMs makes each entry take that long.
import { GroupConsumer } from '../../src/core/store/group-consumer';
import { RedisTransport } from '../../src/core/transport/redis';

async function main(): Promise<void> {
  const [url, stream, group, consumer, countText, handleFirstText, delayText] = process.argv.slice(2);
  const delayMs = Number(delayText ?? 0);
  const count = Number(countText);
  const handleFirst = Number(handleFirstText);
  const transport = new RedisTransport({ url });
  await transport.connect();
  let handled = 0;
  const worker = new GroupConsumer(transport, {
    stream, group, consumer, count, blockMs: 1000, claimIdleMs: 60_000,
    handler: async (entry) => {
      if (handled >= handleFirst) {
        process.stdout.write(`STUCK ${entry.id}\n`);
        await new Promise(() => undefined);
      }
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      handled++;
      process.stdout.write(`DONE ${entry.id}\n`);
    },
  });
  process.stdout.write('READY\n');
  await worker.start();
}

main().catch((e) => {
  process.stderr.write(`consumer-child: ${(e as Error).message}\n`);
  process.exit(2);
});
