// `ucore record`, `ucore replay --fixture` and `ucore compare` as a user runs them (dist/cli.js in a child process)
// against a real redis-server, with the traffic published by redis-py the guide's way (guide_apps.py).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, runCli as run, serverAndDir, ucoreUntil, type CliRun } from '../support/cli-process';
import { guidePublish, guideSave } from '../support/python-apps';
import { MessageRecorder } from '../support/message-recorder';
import { RedisTransport } from '../../src/core/transport/redis';

/** `ucore record …` in a child; `listening` resolves once it says it records (subscribed, stream start read). */
function startRecord(args: string[]): { listening: Promise<void>; done: Promise<CliRun>; interrupt(): void } {
  const r = ucoreUntil(['record', ...args], 'recording ');
  return { listening: r.heard, done: r.done, interrupt: r.interrupt };
}

describe('ucore record / replay --fixture / compare against a real redis-server', () => {
  const env = serverAndDir('ucore-record-');
  let url: string;
  let dir: string;
  before(() => ({ url, dir } = env));

  it('records a channel and a stream for a count, masked; replays it to renamed names; compares recordings', async () => {
    const fixture = join(dir, 'checkout.ndjson');
    const rec = startRecord(['orders', '--stream', 'event_store', '--count', '4', '--out', fixture, '--mask', 'data.email', '--mask', 'user_id=***', '--json', '--url', url]);
    await rec.listening;
    await guidePublish(url, 'orders', [
      '{"event_id": "e1", "event_type": "order_created", "entity_id": "order:1", "user_id": 42, "data": {"total": 12.0, "email": "ada@example.com"}}',
      '{"event_id": "e2", "event_type": "order_created", "entity_id": "order:2", "user_id": 43, "data": {"total": 30.5, "email": "alan@example.com"}}',
    ]);
    await guideSave(url, ['{"event_id": "e3", "event_type": "order_shipped", "timestamp": "2026-01-01T00:00:00", "entity_id": "order:1", "data": {}}']);
    const raw = new RedisTransport({ url });
    await raw.connect();
    await raw.publish('orders', '\u0000\u00ff binary-ish, not JSON');
    const r = await rec.done;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(lines(r.stdout)[0]);
    assert.equal(summary.events, 4);
    assert.equal(summary.stoppedBy, 'count');
    assert.equal(summary.masked, 4);
    const text = readFileSync(fixture, 'utf8');
    assert.ok(!/@example\.com|"user_id": 4[23]/.test(text), 'nothing personal is left');
    assert.match(text, /"total": 12\.0/, 'the rest of the text is kept as written');
    const recorded = lines(text).map((l) => JSON.parse(l));
    assert.deepEqual(recorded.map((e) => e.kind), ['pubsub', 'pubsub', 'stream', 'pubsub']);

    // Replay to renamed names at max speed: the same texts arrive, in order.
    const sink = await MessageRecorder.start(raw, ['orders_copy']);
    const p = await run(['replay', '--fixture', fixture, '--map', 'orders=orders_copy', '--map', 'event_store=store_copy', '--speed', 'max', '--url', url]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /replayed 4 events from .* at max speed/);
    await sink.waitFor(3, 'orders_copy');
    const sent = lines(text).filter((l) => l.includes('"orders"')).map((l) => JSON.parse(l));
    assert.equal(sink.payloads('orders_copy', false)[0], lines(text)[0].slice(lines(text)[0].indexOf('"event":') + 8, -1));
    assert.equal(sink.payloads('orders_copy', false)[2], sent[2].text);
    const copied = await raw.xrange('store_copy', '-', '+');
    assert.equal(copied.length, 1);
    assert.equal(JSON.parse(copied[0].fields.event).event_type, 'order_shipped');

    // 10×: the same, the recorded gaps a tenth as long.
    const ten = await run(['replay', '--fixture', fixture, '--map', 'orders=orders_copy', '--to-url', url, '--speed', '10', '--json']);
    assert.equal(ten.code, 0, ten.stderr);
    assert.equal(JSON.parse(lines(ten.stdout)[0]).sent, 4);
    await sink.waitFor(6, 'orders_copy');
    await sink.stop();
    await raw.close();

    // Compare: the same recording matches; a changed total, a lost event and a new one are named.
    const same = await run(['compare', fixture, fixture]);
    assert.equal(same.code, 0, same.stdout);
    assert.match(same.stdout, /4 same, 0 changed, 0 missing, 0 added/);
    const after = recorded.map((e) => JSON.stringify(e)).map((l) => l.replace('"total":30.5', '"total":31'));
    after.splice(2, 1, JSON.stringify({ t: 900, kind: 'pubsub', channel: 'orders', event: { event_id: 'e9', event_type: 'order_cancelled', entity_id: 'order:2' } }));
    const changedFile = join(dir, 'after.ndjson');
    writeFileSync(changedFile, `${after.join('\n')}\n`);
    const diff = await run(['compare', fixture, changedFile]);
    assert.equal(diff.code, 1, diff.stdout);
    assert.match(diff.stdout, /- missing {2}stream event_store order_shipped order:1/);
    assert.match(diff.stdout, /\+ added {4}pubsub orders order_cancelled order:2/);
    assert.match(diff.stdout, /~ changed {2}pubsub orders order_created order:2: data\.total/);
  });

  it('Ctrl+C ends a timed recording and keeps what was recorded', async () => {
    const fixture = join(dir, 'timed.ndjson');
    const rec = startRecord(['ord*', '--pattern', '--for', '60', '--out', fixture, '--url', url]);
    await rec.listening;
    await guidePublish(url, 'orders.eu', ['{"event_type": "order_created", "entity_id": "order:7"}']);
    for (let i = 0; i < 100 && !readFileSync(fixture, 'utf8'); i++) await new Promise((r) => setTimeout(r, 50)); // flushed within 1 s
    rec.interrupt();
    const r = await rec.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /recorded 1 event .* stopped/);
    const [line] = lines(readFileSync(fixture, 'utf8')).map((l) => JSON.parse(l));
    assert.equal(line.pattern, 'ord*');
    assert.equal(line.channel, 'orders.eu');
  });

  it('wrong usage exits 2; a hostile fixture is replayed around its bad lines, named by number, exit 1', async () => {
    assert.equal((await run(['record', '--url', url])).code, 2);
    assert.equal((await run(['record', 'x', '--for', '1', '--count', '2', '--url', url])).code, 2);
    assert.equal((await run(['record', 'x', '--mask', '.', '--url', url])).code, 2);
    assert.equal((await run(['replay', '--fixture', 'f', '--speed', 'fast', '--url', url])).code, 2);
    assert.equal((await run(['replay', '--fixture', 'f', '--entity', 'order:1', '--url', url])).code, 2);
    const bad = join(dir, 'hostile.ndjson');
    writeFileSync(bad, Buffer.concat([
      Buffer.from('{"t":0,"kind":"pubsub","channel":"h","event":{"event_type":"ok"}}\n{"t":\n'),
      Buffer.from([0xc3, 0x28, 0x00, 0x0a]),
      Buffer.from('{"t":5,"kind":"pubsub","channel":"h","event":{"event_type":"ok2"}}\n'),
    ]));
    const r = await run(['replay', '--fixture', bad, '--url', url]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /replayed 2 events .*\(2 bad lines skipped\)/);
    assert.match(r.stderr, /hostile\.ndjson:2: line 2 is not JSON/);
    assert.match(r.stderr, /hostile\.ndjson:3: /);
  });
});
