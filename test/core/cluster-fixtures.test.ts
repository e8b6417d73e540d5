// Self-test of the fixtures the scale-out tests stand on (test/support/redis-cluster.ts, redis-sentinel.ts): every
// slot served, keys routed to the master the fixture names, and a killed master replaced by its replica both in a
// cluster and under Sentinel. Prints how long creation and failovers take on this machine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import Redis, { Cluster } from 'ioredis';
import { CLUSTER_SLOTS, ask, keySlot, startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel';

const direct = (port: number) => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });

describe('keySlot', () => {
  it('matches the reference CRC16 value and hash-tag rules', () => {
    assert.equal(keySlot('123456789'), 0x31c3); // the CRC16/XMODEM check value
    assert.equal(keySlot('user:{42}:name'), keySlot('42'));
    assert.equal(keySlot('a{b}{c}'), keySlot('b')); // only the first tag counts
    assert.equal(keySlot(Buffer.from('user:{42}:name')), keySlot('42'));
  });
});

describe('cluster fixture: 3 masters', () => {
  let cluster: RedisClusterHandle | undefined;
  before(async () => {
    cluster = await startRedisCluster();
    console.log(`cluster of 3 masters created and ok in ${cluster.startupMs} ms (${cluster.seedUrl})`);
  });
  after(async () => { await cluster?.stop(); });

  it('every node sees all 16384 slots served by the same 3 masters', async () => {
    const c = cluster!;
    const masters = await c.masterPorts();
    assert.equal(masters.length, 3);
    assert.equal(c.seedUrl, `redis+cluster://${masters.map((p) => `127.0.0.1:${p}`).join(',')}`);
    for (const node of c.nodes) {
      assert.equal(await node.role(), 'master');
      const slots = (await ask(node.port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const covered = slots.reduce((n, [start, end]) => n + end - start + 1, 0);
      assert.equal(covered, CLUSTER_SLOTS, `node ${node.port} sees every slot covered`);
      assert.deepEqual([...new Set(slots.map((s) => Number(s[2][1])))].sort(), [...masters].sort());
    }
  });

  it('keySlot agrees with CLUSTER KEYSLOT, hostile keys included', async () => {
    const keys = ['', 'foo', '{', '}', '{}', '}{', '{}{a}', 'a{b}c', '{{a}}', 'foo{bar}{zap}', 'ü{ß}', 'ünï\u0000cödé',
      '\r\n*3\r\n', '😀{😀}', 'x'.repeat(1000), 'orders:{tenant-7}:events'];
    for (const key of keys) {
      assert.equal(keySlot(key), await ask(cluster!.nodes[0].port, 'CLUSTER', 'KEYSLOT', key), JSON.stringify(key));
    }
  });

  it('a key written through ioredis Cluster is on the master masterForSlot names, and only there', async () => {
    const c = cluster!;
    const client = new Cluster(c.seedUrl.slice('redis+cluster://'.length).split(',').map((hp) => ({ host: '127.0.0.1', port: Number(hp.split(':')[1]) })));
    const key = 'fixture:{entity-17}:name';
    try {
      await client.set(key, 'seventeen');
    } finally {
      client.disconnect();
    }
    const owner = await c.masterForSlot(keySlot(key));
    for (const port of await c.masterPorts()) {
      const node = direct(port);
      try {
        if (port === owner) assert.equal(await node.get(key), 'seventeen');
        else await assert.rejects(node.get(key), new RegExp(`MOVED ${keySlot(key)} 127\\.0\\.0\\.1:${owner}`));
      } finally {
        node.disconnect();
      }
    }
  });

  // Last in this suite: it leaves the cluster without a third of its slots.
  it('says why when a master without replica is killed: no failover possible, cluster not ok', async () => {
    const c = cluster!;
    const victim = (await c.masterPorts())[0];
    await c.killNode(victim);
    await assert.rejects(c.waitForFailover(victim, 1000), /had no replica/);
    await assert.rejects(c.waitForClusterOk(1500), /cluster ok on every live node: not reached within 1500 ms; last seen: .*(still on down node|cluster_state fail)/);
  });
});

describe('cluster fixture: 3 masters + 3 replicas, one master killed', () => {
  let cluster: RedisClusterHandle | undefined;
  before(async () => {
    cluster = await startRedisCluster({ replicasPerMaster: 1 });
    console.log(`cluster of 3 masters + 3 replicas created, in sync and ok in ${cluster.startupMs} ms`);
  });
  after(async () => { await cluster?.stop(); });

  it('a replica takes over the slots, keeps the data, and the old master rejoins as a replica', { timeout: 30_000 }, async () => {
    const c = cluster!;
    const roles = await Promise.all(c.nodes.map((n) => n.role()));
    assert.deepEqual(roles.filter((r) => r === 'master').length, 3);
    const key = 'fixture:{failover}:k';
    const slot = keySlot(key);
    const oldMaster = await c.masterForSlot(slot);
    const writer = direct(oldMaster);
    try {
      await writer.set(key, 'before-crash');
      assert.equal(await writer.wait(1, 2000), 1, 'the write reached the replica');
    } finally {
      writer.disconnect();
    }

    await c.killNode(oldMaster);
    const { newMasterPort, ms } = await c.waitForFailover(oldMaster, 15_000);
    console.log(`cluster failover (node-timeout 1000 ms): master ${oldMaster} killed, replica ${newMasterPort} serving its slots ${ms} ms later`);
    assert.notEqual(newMasterPort, oldMaster);
    assert.equal(await c.masterForSlot(slot), newMasterPort);
    assert.equal(await c.nodes.find((n) => n.port === newMasterPort)!.role(), 'master');
    assert.ok(!(await c.masterPorts()).includes(oldMaster));
    const reader = direct(newMasterPort);
    try {
      assert.equal(await reader.get(key), 'before-crash');
    } finally {
      reader.disconnect();
    }

    const restartAt = performance.now();
    await c.restartNode(oldMaster);
    await c.waitForClusterOk(15_000);
    console.log(`cluster: old master ${oldMaster} restarted and back in sync as a replica in ${Math.round(performance.now() - restartAt)} ms`);
    assert.equal(await c.nodes.find((n) => n.port === oldMaster)!.role(), 'replica');
    assert.equal(await c.masterForSlot(slot), newMasterPort);
  });
});

describe('sentinel fixture: master, replica, 3 sentinels, master killed', () => {
  let setup: RedisSentinelHandle | undefined;
  before(async () => {
    setup = await startRedisSentinel();
    console.log(`sentinel setup ready in ${setup.startupMs} ms (${setup.url})`);
  });
  after(async () => { await setup?.stop(); });

  it('sentinels promote the replica and name it as the master', { timeout: 30_000 }, async () => {
    const s = setup!;
    assert.equal(s.url, `redis+sentinel://${s.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/ucore-master`);
    assert.equal(await s.currentMasterPort(), s.masterPort);
    const writer = direct(s.masterPort);
    try {
      await writer.set('fixture:sentinel', 'before-crash');
      assert.equal(await writer.wait(1, 2000), 1, 'the write reached the replica');
    } finally {
      writer.disconnect();
    }

    const killed = await s.killMaster();
    assert.equal(killed, s.masterPort);
    const { newMasterPort, ms } = await s.waitForFailover(killed, 20_000);
    console.log(`sentinel failover (down-after 1000 ms): master ${killed} killed, replica ${newMasterPort} named master ${ms} ms later`);
    assert.equal(newMasterPort, s.replicaPort);
    assert.equal(await s.currentMasterPort(), s.replicaPort);
    const reader = direct(newMasterPort);
    try {
      assert.equal(await reader.get('fixture:sentinel'), 'before-crash');
      assert.equal(await reader.set('fixture:sentinel', 'after-failover'), 'OK', 'the new master accepts writes');
    } finally {
      reader.disconnect();
    }
  });
});
