// A secured Redis Cluster, as production runs one: the same URL options as one server (password, ACL user, TLS) must
// reach every node, not just the seed. Three clusters, one per variant: a password on the default user; ACL users (one
// allowed everything, one without channel permission); TLS-only nodes (cluster bus and replication over TLS too) with a
// password. Each checks connecting, the partitioned store, sharded pub/sub on every master, and that each way of getting
// it wrong fails fast with a typed error that says why and never holds a password. Ground truth (which master serves a
// key, who a connection is logged in as) comes from the nodes themselves through the fixture, not from the code tested.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTransport, EventStore, keySlot, type PubSubMessage, type Transport, type TransportOptions,
} from '../../src/core/index';
import { ask, clusterTlsFiles, startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { makeTestCertificates, type TestCertificates } from '../support/tls';

// Passwords with URL-special characters: each must survive encoding in the URL and reach every node intact.
const PASSWORD = 'Cl:pw@s3cret/1';
const APP_PASSWORD = 'App-pw:s3cret@2';
const NOCHAN_PASSWORD = 'NoChan-pw-s3cret-3';
const WRONG_PASSWORD = 'Wr0ng-pw-s3cret-4';
const SECRETS = [PASSWORD, APP_PASSWORD, NOCHAN_PASSWORD, WRONG_PASSWORD].flatMap((s) => [s, encodeURIComponent(s)]);
const CONNECT_TIMEOUT = 1000;
/** connect timeout + the core's 500 ms grace + a margin for a loaded machine. */
const FAIL_BOUND_MS = CONNECT_TIMEOUT + 500 + 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Transports a variant opened, closed in its after() whatever happened. */
class Opened {
  private readonly all: Transport[] = [];
  async connect(options: TransportOptions): Promise<Transport> {
    const t = createTransport({ connectTimeoutMs: CONNECT_TIMEOUT, ...options });
    this.all.push(t);
    await t.connect();
    return t;
  }
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all.map((t) => t.close()));
  }
}

interface Failure { code: string; name: string; message: string; ms: number }

/** `fn` must fail: its error's code, class and message, and how long failing took. */
async function failure(fn: () => Promise<unknown>): Promise<Failure> {
  const started = Date.now();
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: unknown; name?: unknown; message?: unknown };
    const message = String(err.message);
    for (const s of SECRETS) assert.ok(!message.includes(s), `the error message holds a password: ${message}`);
    return { code: String(err.code), name: String(err.name), message, ms: Date.now() - started };
  }
  assert.fail('expected a failure, but it succeeded');
}

/** A failed connect: it also must not leave a transport open. */
async function connectFailure(options: TransportOptions): Promise<Failure> {
  const t = createTransport({ connectTimeoutMs: CONNECT_TIMEOUT, ...options });
  try {
    return await failure(() => t.connect());
  } finally {
    await t.close();
  }
}

/** Per master port, the first `${prefix}<n>` name whose slot it serves (asked of the cluster, not computed by ours). */
async function nameOnEachMaster(cluster: RedisClusterHandle, prefix: string): Promise<Map<number, string>> {
  const masters = await cluster.masterPorts();
  const out = new Map<number, string>();
  for (let i = 0; out.size < masters.length; i++) {
    const name = `${prefix}${i}`;
    const port = await cluster.masterForSlot(keySlot(name));
    if (!out.has(port)) out.set(port, name);
    assert.ok(i < 1000, 'names found on every master');
  }
  return out;
}

/** Topology: 3 masters, state ok, exactly the cluster's own masters. */
async function assertThreeMasters(t: Transport, cluster: RedisClusterHandle): Promise<void> {
  assert.equal(t.mode, 'cluster');
  const topo = await t.topology();
  assert.equal(topo.mode, 'cluster');
  assert.equal(topo.clusterState, 'ok');
  const masters = topo.nodes.filter((n) => n.role === 'master');
  assert.equal(masters.length, 3);
  assert.ok(masters.every((n) => n.state === 'ok'), JSON.stringify(masters));
  assert.deepEqual(masters.map((n) => Number(n.address.split(':').pop())).sort(), (await cluster.masterPorts()).sort());
}

/** The store appends to partitions on every master; the counts are read back from the masters themselves. */
async function assertStoreAcrossMasters(t: Transport, cluster: RedisClusterHandle, tag: string): Promise<void> {
  const store = new EventStore(t);
  const events = Array.from({ length: 60 }, (_, i) => ({ event_type: 'order_created', entity_id: `${tag}:${i}`, data: { i } }));
  const appended = await store.appendBatch(events);
  assert.equal(appended.length, 60);
  const perMaster = new Map<number, number>();
  for (const key of store.partitionKeys()) {
    const port = await cluster.masterForSlot(keySlot(key));
    perMaster.set(port, (perMaster.get(port) ?? 0) + Number(await cluster.ask(port, 'XLEN', key)));
  }
  assert.equal([...perMaster.values()].reduce((a, n) => a + n, 0), 60, 'every event in a partition');
  assert.equal([...perMaster.values()].filter((n) => n > 0).length, 3, `events on all 3 masters: ${JSON.stringify([...perMaster])}`);
  const read = await store.getByEntity(`${tag}:7`);
  assert.deepEqual(read.map((r) => r.event.data), [{ i: 7 }]);
}

/** SSUBSCRIBE on one transport and SPUBLISH on another, a channel on each master. */
async function assertShardPubSub(pub: Transport, sub: Transport, cluster: RedisClusterHandle, prefix: string): Promise<void> {
  const channels = [...(await nameOnEachMaster(cluster, prefix)).values()];
  const got: PubSubMessage[] = [];
  const listening = sub.onMessage((m) => { if (m.channel.startsWith(prefix)) got.push(m); });
  try {
    await sub.ssubscribe(channels);
    for (const ch of channels) assert.equal(await pub.spublish(ch, `to ${ch}`), 1, `${ch} reaches its shard subscriber`);
    await until('a message on every shard channel', () => got.length === channels.length);
    assert.deepEqual(got.map((m) => m.channel).sort(), [...channels].sort());
    assert.ok(got.every((m) => m.sharded === true && m.payload === `to ${m.channel}`));
    await sub.sunsubscribe(channels);
  } finally {
    listening.dispose();
  }
}

/** `CLIENT LIST` of every master: the ACL user of each connection named `name:*` (the transport's clientName). */
async function usersOfConnections(cluster: RedisClusterHandle, name: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const port of await cluster.masterPorts()) {
    const lines = String(await cluster.ask(port, 'CLIENT', 'LIST')).split('\n').filter((l) => l.includes(` name=${name}:`));
    out.set(port, lines.map((l) => /\buser=(\S+)/.exec(l)?.[1] ?? '?'));
  }
  return out;
}

describe('cluster secured by a password (requirepass on every node)', () => {
  let cluster: RedisClusterHandle;
  const opened = new Opened();
  let t: Transport;

  before(async () => {
    cluster = await startRedisCluster({ password: PASSWORD });
    t = await opened.connect({ url: cluster.seedUrlWith({ password: PASSWORD }) });
  });

  after(async () => {
    await opened.closeAll();
    await cluster?.stop();
  });

  it('the nodes really want the password', async () => {
    const [port] = await cluster.masterPorts();
    await assert.rejects(ask(port, 'GET', 'x'), /NOAUTH/);
    assert.equal(await cluster.ask(port, 'PING'), 'PONG', "the fixture's own probe authenticates");
  });

  it('redis+cluster://:pw@… connects: 3 masters, store across partitions, sharded pub/sub', async () => {
    await assertThreeMasters(t, cluster);
    await assertStoreAcrossMasters(t, cluster, 'pw');
    const other = await opened.connect({ url: cluster.seedUrlWith({ password: PASSWORD }), clientName: 'pw-sub' });
    await assertShardPubSub(t, other, cluster, 'pw-shard:');
  });

  it('a plain redis://:pw@node URL finds the cluster', async () => {
    const port = (await cluster.masterPorts())[1];
    const plain = await opened.connect({ url: `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}` });
    assert.equal(plain.mode, 'cluster');
    await plain.set('pw:{plain}', 'yes');
    assert.equal(await t.get('pw:{plain}'), 'yes');
  });

  it('a wrong or missing password fails fast with AUTH_FAILED and never shows a password', async () => {
    const wrong = await connectFailure({ url: cluster.seedUrlWith({ password: WRONG_PASSWORD }) });
    assert.equal(wrong.code, 'AUTH_FAILED', wrong.message);
    assert.equal(wrong.name, 'AuthFailedError');
    assert.match(wrong.message, /authentication failed|WRONGPASS|invalid username-password/i);
    assert.ok(wrong.ms < FAIL_BOUND_MS, `wrong password failed in ${wrong.ms} ms`);

    const none = await connectFailure({ url: cluster.seedUrl });
    assert.equal(none.code, 'AUTH_FAILED', none.message);
    assert.ok(none.ms < FAIL_BOUND_MS, `no password failed in ${none.ms} ms`);

    // The password given as an option (how the extension passes it from its secret storage) overrides a wrong URL's.
    const byOption = await opened.connect({ url: cluster.seedUrlWith({ password: WRONG_PASSWORD }), password: PASSWORD });
    assert.equal(byOption.mode, 'cluster');
    await byOption.ping();
  });
});

describe('cluster with ACL users', () => {
  let cluster: RedisClusterHandle;
  const opened = new Opened();
  let app: Transport;

  before(async () => {
    cluster = await startRedisCluster({
      password: PASSWORD,
      aclUsers: [
        { name: 'app', password: APP_PASSWORD },
        // Every key and command, but no channel at all.
        { name: 'nochan', password: NOCHAN_PASSWORD, rules: ['~*', 'resetchannels', '+@all'] },
      ],
    });
    app = await opened.connect({ url: cluster.seedUrlWith({ username: 'app', password: APP_PASSWORD }), clientName: 'acl-app' });
  });

  after(async () => {
    await opened.closeAll();
    await cluster?.stop();
  });

  it('redis+cluster://app:pw@… works on every master, logged in as app everywhere', async () => {
    await assertThreeMasters(app, cluster);
    await assertStoreAcrossMasters(app, cluster, 'acl');
    const sub = await opened.connect({ url: cluster.seedUrlWith({ username: 'app', password: APP_PASSWORD }), clientName: 'acl-app' });
    await assertShardPubSub(app, sub, cluster, 'acl-shard:');

    const users = await usersOfConnections(cluster, 'acl-app');
    for (const [port, list] of users) {
      assert.ok(list.length > 0, `a connection of ours on master ${port}`);
      assert.deepEqual([...new Set(list)], ['app'], `master ${port}: our connections are logged in as app (${list.join(', ')})`);
    }
  });

  it('the username given as an option, and a wrong password for app', async () => {
    const byOption = await opened.connect({ url: cluster.seedUrl, username: 'app', password: APP_PASSWORD });
    assert.equal(byOption.mode, 'cluster');
    await byOption.ping();

    const wrong = await connectFailure({ url: cluster.seedUrlWith({ username: 'app', password: WRONG_PASSWORD }) });
    assert.equal(wrong.code, 'AUTH_FAILED', wrong.message);
    assert.ok(wrong.ms < FAIL_BOUND_MS, `failed in ${wrong.ms} ms`);
    const nobody = await connectFailure({ url: cluster.seedUrlWith({ username: 'nobody', password: APP_PASSWORD }) });
    assert.equal(nobody.code, 'AUTH_FAILED', nobody.message);
  });

  it('a user without channel permission gets NOPERM on ssubscribe and spublish, not a hang', async () => {
    const nochan = await opened.connect({
      url: cluster.seedUrlWith({ username: 'nochan', password: NOCHAN_PASSWORD }), commandTimeoutMs: 3000,
    });
    assert.equal(nochan.mode, 'cluster');
    await nochan.set('nochan:{k}', 'keys are fine');
    assert.equal(await app.get('nochan:{k}'), 'keys are fine');

    for (const [what, fn] of [
      ['spublish', () => nochan.spublish('acl-forbidden', 'x')],
      ['ssubscribe', () => nochan.ssubscribe(['acl-forbidden'])],
      ['publish', () => nochan.publish('acl-forbidden', 'x')],
      ['subscribe', () => nochan.subscribe(['acl-forbidden'])],
    ] as const) {
      const f = await failure(fn);
      assert.match(f.message, /NOPERM|permission/i, `${what}: ${f.code} ${f.message}`);
      assert.notEqual(f.code, 'TIMEOUT', `${what} must fail with the server's answer, not a timeout: ${f.message}`);
      assert.ok(f.ms < 2000, `${what} failed in ${f.ms} ms`);
    }
    // Nothing was published on the way: the channel has no subscriber and the connection still works.
    assert.deepEqual(await app.pubsubShardNumsub(['acl-forbidden']), [{ channel: 'acl-forbidden', subscribers: 0 }]);
    await nochan.ping();
  });
});

describe('cluster over TLS only (clients, cluster bus and replication), with a password', () => {
  let certs: TestCertificates;
  let cluster: RedisClusterHandle;
  const opened = new Opened();
  let t: Transport;
  let url: string;

  before(async () => {
    certs = makeTestCertificates();
    cluster = await startRedisCluster({ tls: clusterTlsFiles(certs), password: PASSWORD });
    url = cluster.seedUrlWith({ password: PASSWORD });
    t = await opened.connect({ url, tls: { ca: certs.ca } });
  });

  after(async () => {
    await opened.closeAll();
    await cluster?.stop();
    certs?.cleanup();
  });

  it('the seed URL is rediss+cluster:// and the nodes have no plain port', async () => {
    assert.match(cluster.seedUrl, /^rediss\+cluster:\/\/127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$/);
    const [port] = await cluster.masterPorts();
    const config = (await cluster.ask(port, 'CONFIG', 'GET', 'port')) as string[];
    assert.deepEqual(config, ['port', '0']);
    const busTls = (await cluster.ask(port, 'CONFIG', 'GET', 'tls-cluster')) as string[];
    assert.deepEqual(busTls, ['tls-cluster', 'yes']);
  });

  it('rediss+cluster:// with the CA: 3 masters, store across partitions, sharded pub/sub, stream scan', async () => {
    await assertThreeMasters(t, cluster);
    await assertStoreAcrossMasters(t, cluster, 'tls');
    const other = await opened.connect({ url, tls: { ca: certs.ca } });
    await assertShardPubSub(t, other, cluster, 'tls-shard:');

    const streams = [...(await nameOnEachMaster(cluster, 'tls-scan:s')).values()];
    for (const s of streams) await t.xadd(s, { n: '1' });
    await t.set('tls-scan:not-a-stream', 'x');
    const found: string[] = [];
    let cursor = '0';
    for (let calls = 0; ; calls++) {
      assert.ok(calls < 1000, 'the scan ends');
      const page = await t.scan(cursor, { match: 'tls-scan:*', type: 'stream', count: 10 });
      found.push(...page.keys);
      cursor = page.cursor;
      if (cursor === '0') break;
    }
    assert.deepEqual(found.sort(), [...streams].sort());
  });

  it('a plain rediss://:pw@node URL finds the cluster over TLS', async () => {
    const port = (await cluster.masterPorts())[2];
    const plain = await opened.connect({ url: `rediss://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`, tls: { ca: certs.ca } });
    assert.equal(plain.mode, 'cluster');
    await plain.set('tls:{plain}', 'yes');
    assert.equal(await t.get('tls:{plain}'), 'yes');
  });

  const plainUrl = () => url.replace(/^rediss\+cluster:/, 'redis+cluster:');

  it('without the CA, with a CA that did not sign, and plain to the TLS ports: each fails within the connect timeout', async () => {
    for (const [what, options] of [
      ['no CA', { url }],
      ['another CA', { url, tls: { ca: certs.otherCa } }],
      ['plain redis+cluster://', { url: plainUrl() }],
    ] as const) {
      const f = await connectFailure(options);
      assert.ok(f.ms < FAIL_BOUND_MS, `${what}: failed in ${f.ms} ms (${f.code}: ${f.message})`);
      assert.match(f.code, /^[A-Z_]+$/, `${what}: a typed error (${f.name}: ${f.message})`);
    }
  });

  // ioredis's Cluster reads the slot map on a throwaway connection whose socket error it drops, so the transport only
  // sees "Connection is closed." from every seed and reports it as unreachable. One server (faults-config) says why.

  it('without the CA: TlsError that says certificate verification', async () => {
    for (const options of [{ url }, { url, tls: { ca: certs.otherCa } }]) {
      const f = await connectFailure(options);
      assert.equal(f.code, 'TLS', f.message);
      assert.equal(f.name, 'TlsError');
      assert.match(f.message, /certificate/i);
      assert.match(f.message, /verification/i);
    }
  });

  it('a plain redis+cluster:// URL against the TLS ports says to use TLS', async () => {
    const f = await connectFailure({ url: plainUrl() });
    assert.match(f.message, /rediss|TLS/, `${f.code}: ${f.message}`);
    assert.doesNotMatch(f.message, /could be reached|Failed to refresh slots cache/);
  });
});
