// `ucore test` as CI runs it (dist/cli.js in a child process) against a real redis-server where a small service
// written the guide's way runs (order_service.py responder: order_created → order_paid for the same entity after
// 150 ms; orders with a negative total are ignored): passing and failing scenarios, `expect no`, a value captured
// across blocks ({{uuid:order}}), timeouts, shard channel and stream expectations, --json, --junit, a malformed file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, runCli as run, serverAndDir } from '../support/cli-process';
import { startResponder, type Responder } from '../support/python-apps';

const PASSING = `### test: a paid order
### channel: orders
{ "event_type": "order_created", "entity_id": "order:{{uuid:order}}", "data": { "order_id": 1, "items": [{ "product_id": 2, "quantity": 1 }], "total_price": 25.5 } }

### expect channel: payments within 5000ms
{ "event_type": "order_paid", "entity_id": "order:{{uuid:order}}", "data": { "amount": 25.5 } }

### test: a negative total is not paid
### channel: orders
{ "event_type": "order_created", "entity_id": "order:{{uuid:neg}}", "data": { "order_id": 2, "items": [], "total_price": -5 } }

### expect no channel: payments within 700ms
{ "entity_id": "order:{{uuid:neg}}" }

### test: shard channels and streams are listened to before sending
### shard: audit_shard
{ "event_type": "audited", "entity_id": "order:{{uuid:a}}", "data": { "tags": ["x", "y"] } }
### stream: audit_stream
{ "event_type": "archived", "entity_id": "order:{{uuid:a}}" }
### expect shard: audit_shard within 2000ms
{ "entity_id": "order:{{uuid:a}}", "data": { "tags": ["x", "y"] } }
### expect stream: audit_stream within 2000ms
{ "event_type": "archived", "entity_id": "order:{{uuid:a}}" }
`;

const FAILING = `### test: the amount is checked
### channel: orders
{ "event_type": "order_created", "entity_id": "order:{{uuid:order}}", "data": { "order_id": 3, "items": [], "total_price": 10 } }

### expect channel: payments within 2000ms
{ "event_type": "order_paid", "entity_id": "order:{{uuid:order}}", "data": { "amount": 11 } }

### test: nobody pays a shipment
### channel: orders
{ "event_type": "order_shipped", "entity_id": "order:{{uuid:order}}", "data": { "order_id": 6 } }

### expect channel: payments within 400ms
{ "event_type": "order_paid", "entity_id": "order:{{uuid:order}}" }

### test: expect no, but it came
### channel: orders
{ "event_type": "order_created", "entity_id": "order:{{uuid:p}}", "data": { "order_id": 4, "items": [], "total_price": 1 } }

### expect no channel: payments within 3000ms
{ "event_type": "order_paid", "entity_id": "order:{{uuid:p}}" }

### test: arrays must be equal
### channel: orders
{ "event_type": "order_created", "entity_id": "order:{{uuid:q}}", "data": { "order_id": 5, "items": [], "total_price": 2 } }
### channel: orders
{ "event_type": "echo", "entity_id": "order:{{uuid:q}}", "data": { "items": [1, 2, 3] } }

### expect channel: orders within 1500ms
{ "event_type": "echo", "data": { "items": [1, 2] } }
`;

const MALFORMED = `### test: broken
### channel: orders
{ "event_type": "order_created", "data": { "order_id": 1, "items": [], "total_price": 1 } }

### expect channel: payments within soon
{ "event_type": "order_paid" }

### expect channel: payments within 100ms
{ "event_type": "order_paid",
`;

describe('ucore test against a real redis-server with a responder service', () => {
  const env = serverAndDir('ucore-scenario-');
  let responder: Responder;
  before(async () => { responder = await startResponder(env.url, { delayMs: 150 }); });
  after(async () => { await responder?.stop(); });

  const write = (name: string, text: string) => {
    const path = join(env.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('passes: a captured id across blocks, expect no, shard channel and stream expectations', async () => {
    const file = write('pass.events', PASSING);
    const junit = join(env.dir, 'pass.xml');
    const r = await run(['test', file, '--url', env.url, '--junit', junit], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${responder.stderr()}`);
    const out = lines(r.stdout);
    assert.match(out[0], /^✓ a paid order \(\d+ ms\)$/);
    assert.match(out[1], /^✓ a negative total is not paid/);
    assert.match(out[2], /^✓ shard channels and streams/);
    assert.equal(out[3], '3 passed, 0 failed');
    assert.match(readFileSync(junit, 'utf8'), /<testsuite name="[^"]*pass\.events" tests="3" failures="0" errors="0">/);
  });

  it('fails with the expectation, the nearest event that came instead, the timing and the line; exit 1', async () => {
    const file = write('fail.events', FAILING);
    const r = await run(['test', file, '--url', env.url], { timeoutMs: 30_000 });
    assert.equal(r.code, 1, r.stderr);
    const out = lines(r.stdout);
    assert.match(out[0], /^✗ the amount is checked: expected channel payments within 2000ms: \{"event_type":"order_paid","entity_id":"order:[0-9a-f-]{36}","data":\{"amount":11\}\}, none matched in 2000 ms; nearest of 1 that came \(\d+ ms into the test\): data\.amount is 10; it was \{.*order_paid.* \(.*fail\.events:5\)$/);
    assert.match(out[1], /^✗ nobody pays a shipment: .*none matched in 400 ms; nothing arrived on channel payments \(.*fail\.events:12\)$/);
    assert.match(out[2], /^✗ expect no, but it came: expected no channel payments within 3000ms: .*but one arrived \d+ ms into the test: .*order_paid.*fail\.events:19\)$/);
    assert.match(out[3], /^✗ arrays must be equal: .*data\.items is \[1,2,3\].*fail\.events:28\)$/);
    assert.equal(out[4], '0 passed, 4 failed');

    const j = await run(['test', file, '--url', env.url, '--json', '--name', 'nobody'], { timeoutMs: 30_000 });
    assert.equal(j.code, 1);
    const [rec] = lines(j.stdout).map((l) => JSON.parse(l));
    assert.equal(rec.name, 'nobody pays a shipment');
    assert.equal(rec.passed, false);
    assert.equal(rec.failure.line, 12);
    assert.equal(rec.failure.expectation.withinMs, 400);
    assert.ok(rec.failure.waitedMs >= 400);
  });

  it('a malformed scenario names its lines and runs nothing; wrong usage exits 2', async () => {
    const file = write('bad.events', MALFORMED);
    const r = await run(['test', file, '--url', env.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.events:5:\d+: write an expectation as ### expect channel: NAME within 500ms/);
    assert.match(r.stderr, /bad\.events:9:\d+: /);
    assert.match(r.stdout, /✗ .*bad\.events: malformed, 2 problems \(first on line 5\); its tests did not run/);
    assert.match(r.stdout, /0 passed, 1 failed/);
    assert.equal((await run(['test', '--url', env.url])).code, 2);
    assert.equal((await run(['test', join(env.dir, 'missing.events'), '--url', env.url])).code, 2);
  });
});
