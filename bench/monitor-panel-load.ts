// Load generator of bench/monitor-panel.ts, run as a CHILD process so its CPU is not the measured process's:
// pipelined PUBLISH of pre-serialized ~200-byte events to a few channels, written as raw RESP on one socket (no
// client library in the way), at a target rate or as fast as the socket takes it. Prints one JSON line a second:
// { t, sent, acked, zeroReceivers } (cumulative; zeroReceivers counts PUBLISH replies of 0, i.e. nobody — not even
// the monitor — was subscribed when the message arrived, which is what a dropped subscriber looks like from here).
//
//   node dist/bench/monitor-panel-load.js --port 6379 [--seconds 60] [--rate 100000 | --rate 0 (as fast as possible)]
import { connect } from 'node:net';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

const port = arg('port', 6379);
const seconds = arg('seconds', 60);
const rate = arg('rate', 100_000);
const BATCH = 500;
const MAX_IN_FLIGHT = 20_000;

const CHANNELS = [
  ['orders', 'order_created'], ['orders', 'order_paid'], ['payments', 'payment_processed'],
  ['users', 'user_login'], ['inventory', 'inventory_low'],
] as const;

function event(i: number): [string, string] {
  const [channel, type] = CHANNELS[i % CHANNELS.length]!;
  const id = `0192f0c4-7d6e-7a1b-9c2d-${String(100000000000 + i).slice(-12)}`;
  const payload = JSON.stringify({
    event_id: id, event_type: type, timestamp: '2026-01-01T00:00:00.000Z', version: '1.0', entity_id: `order:${i % 997}`,
    user_id: i % 211, data: { order_id: i % 997, total_price: 19.99 + (i % 50) },
  });
  return [channel, payload];
}

function resp(parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

// A few different batches, each BATCH commands of distinct events: the wire carries realistic variety.
const batches: Buffer[] = [];
for (let b = 0; b < 4; b++) {
  let text = '';
  for (let i = 0; i < BATCH; i++) {
    const [channel, payload] = event(b * BATCH + i);
    text += resp(['PUBLISH', channel, payload]);
  }
  batches.push(Buffer.from(text));
}
const avgBytes = Math.round(batches.reduce((n, b) => n + b.length, 0) / batches.length / BATCH);

let sent = 0;
let acked = 0;
let zero = 0;
// Reply scanner state across chunks: replies are ":<n>\r\n".
let inReply = false;
let digits = 0;
let firstDigitZero = false;

const socket = connect({ host: '127.0.0.1', port });
socket.setNoDelay(true);
socket.on('data', (chunk: Buffer) => {
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i]!;
    if (c === 0x3a /* : */) {
      inReply = true;
      digits = 0;
      firstDigitZero = false;
    } else if (inReply && c >= 0x30 && c <= 0x39) {
      if (digits === 0) firstDigitZero = c === 0x30;
      digits++;
    } else if (c === 0x0a /* \n */) {
      if (inReply) {
        acked++;
        if (digits === 1 && firstDigitZero) zero++;
      }
      inReply = false;
    }
  }
});
socket.on('error', (e) => {
  console.error(`load: ${e.message}`);
  process.exit(1);
});

const started = Date.now();
const until = started + seconds * 1000;
let next = 0;

function report(): void {
  console.log(JSON.stringify({ t: Date.now(), sent, acked, zeroReceivers: zero }));
}

async function run(): Promise<void> {
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  console.error(`load: ${rate > 0 ? `${rate}/s target` : 'as fast as possible'} for ${seconds} s, ~${avgBytes} bytes per PUBLISH (command)`);
  const reporter = setInterval(report, 1000);
  while (Date.now() < until) {
    const allowed = rate > 0 ? ((Date.now() - started) / 1000) * rate : Number.POSITIVE_INFINITY;
    if (sent + BATCH > allowed || sent - acked > MAX_IN_FLIGHT) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const ok = socket.write(batches[next++ % batches.length]!);
    sent += BATCH;
    if (!ok) await new Promise((r) => socket.once('drain', r));
  }
  const drainUntil = Date.now() + 10_000;
  while (acked < sent && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  clearInterval(reporter);
  report();
  socket.end();
}

void run().then(() => process.exit(0), (e) => {
  console.error(`load: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
