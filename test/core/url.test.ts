import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeTarget, parseConnectionUrl, putPassword, redactUrl, takePassword } from '../../src/core/transport/url';
import { BadUrlError } from '../../src/core/errors';

describe('connection URLs', () => {
  it('accepts the standard, TLS, query and guide forms', () => {
    assert.deepEqual(parseConnectionUrl('redis://localhost:6379/0'), { kind: 'redis', host: 'localhost', port: 6379, db: 0 });
    assert.deepEqual(parseConnectionUrl('redis://alice:p%40ss@h:7000/3'), { kind: 'redis', host: 'h', port: 7000, db: 3, username: 'alice', password: 'p@ss' });
    assert.deepEqual(parseConnectionUrl('rediss://:pw@h'), { kind: 'redis', host: 'h', port: 6379, db: 0, password: 'pw', tls: {} });
    assert.equal((parseConnectionUrl('redis://h:1?db=5') as { db: number }).db, 5);
    assert.deepEqual(parseConnectionUrl('redis://host:6380,password=secret'), { kind: 'redis', host: 'host', port: 6380, db: 0, password: 'secret' });
    assert.equal((parseConnectionUrl('redis://host:6380,db=1') as { db: number }).db, 1);
    assert.deepEqual(parseConnectionUrl('redis://[::1]:6379'), { kind: 'redis', host: '::1', port: 6379, db: 0 });
    assert.deepEqual(parseConnectionUrl('embedded'), { kind: 'embedded', name: 'default' });
    assert.deepEqual(parseConnectionUrl('embedded://demo'), { kind: 'embedded', name: 'demo' });
  });

  it('rejects bad URLs with a BadUrlError that never shows the password', () => {
    for (const bad of ['', 'http://x', 'redis://', 'redis://h:99999', 'redis://h/abc', 'redis://h:1?db=-1', 'redis://u:topsecret@h:1/x', 'redis://h,nonsense', 'embedded:bad name!']) {
      assert.throws(() => parseConnectionUrl(bad), (e: unknown) => {
        assert.ok(e instanceof BadUrlError, `${bad}: ${e}`);
        assert.ok(!(e as Error).message.includes('topsecret'));
        return true;
      });
    }
  });

  it('redacts passwords in every form', () => {
    assert.equal(redactUrl('redis://alice:s3cr3t@h:1/0'), 'redis://alice:***@h:1/0');
    assert.equal(redactUrl('rediss://:s3cr3t@h'), 'rediss://:***@h');
    assert.equal(redactUrl('redis://h:1,password=s3cr3t,db=2'), 'redis://h:1,password=***,db=2');
    assert.equal(redactUrl('redis://h:1?password=s3cr3t&db=2'), 'redis://h:1?password=***&db=2');
    assert.equal(describeTarget(parseConnectionUrl('rediss://bob:s3cr3t@h:7/2')), 'rediss://bob@h:7/2');
  });

  it('parses cluster seed lists and Sentinel URLs, with TLS, credentials and IPv6', () => {
    assert.deepEqual(parseConnectionUrl('redis+cluster://127.0.0.1:7000,127.0.0.1:7001'), {
      kind: 'redis', host: '127.0.0.1', port: 7000, db: 0, cluster: { seeds: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }] },
    });
    assert.deepEqual(parseConnectionUrl('rediss+cluster://bob:p%2Cw@[::1]:7000,h2'), {
      kind: 'redis', host: '::1', port: 7000, db: 0, username: 'bob', password: 'p,w', tls: {},
      cluster: { seeds: [{ host: '::1', port: 7000 }, { host: 'h2', port: 6379 }] },
    });
    assert.deepEqual(parseConnectionUrl('redis+sentinel://:pw@s1:26379,s2/mymaster/2?sentinelPassword=sp'), {
      kind: 'redis', host: 's1', port: 26379, db: 2, password: 'pw',
      sentinel: { sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], masterName: 'mymaster', password: 'sp' },
    });
    assert.equal(describeTarget(parseConnectionUrl('redis+cluster://u:secret@a:1,b:2')), 'redis+cluster://u@a:1,b:2');
    assert.equal(describeTarget(parseConnectionUrl('redis+sentinel://a:1,b:2/m%20x')), 'redis+sentinel://a:1,b:2/m%20x/0');
    assert.equal(redactUrl('redis+sentinel://u:secret@a:1/m?sentinelPassword=also'), 'redis+sentinel://u:***@a:1/m?sentinelPassword=***');
  });

  it('rejects cluster and Sentinel URLs that cannot work, without showing the password', () => {
    for (const bad of ['redis+cluster://', 'redis+cluster://u:topsecret@h:1/3', 'redis+cluster://h:1?db=2', 'redis+sentinel://h:1', 'redis+sentinel://u:topsecret@h:1', 'redis+sentinel://h:99999/m', 'redis+cluster://h:1,,x:y']) {
      assert.throws(() => parseConnectionUrl(bad), (e: unknown) => {
        assert.ok(e instanceof BadUrlError, `${bad}: ${e}`);
        assert.ok(!(e as Error).message.includes('topsecret'), (e as Error).message);
        return true;
      });
    }
  });

  it('takes the data password out of every form and leaves the rest as written', () => {
    const cases: Array<[string, string]> = [
      ['redis://:s3cr3t@127.0.0.1:6380/0', 'redis://127.0.0.1:6380/0'],
      ['redis://alice:s3cr3t@h:1/2', 'redis://alice@h:1/2'],
      ['  rediss://:s3cr3t@h  ', 'rediss://h'],
      ['redis://h:1,password=s3cr3t,db=2', 'redis://h:1,db=2'],
      ['redis://h:1,db=2,password=s3cr3t', 'redis://h:1,db=2'],
      ['redis://h:1?password=s3cr3t', 'redis://h:1'],
      ['redis://h:1/3?username=a%20b&password=s3cr3t&db=3', 'redis://h:1/3?username=a%20b&db=3'],
      ['redis://[::1]:7000?password=s3cr3t', 'redis://[::1]:7000'],
      ['redis+cluster://app:s3cr3t@127.0.0.1:7001,127.0.0.1:7002', 'redis+cluster://app@127.0.0.1:7001,127.0.0.1:7002'],
      ['rediss+cluster://[::1]:7000,h2?password=s3cr3t', 'rediss+cluster://[::1]:7000,h2'],
      ['redis+sentinel://:s3cr3t@127.0.0.1:26379,127.0.0.1:26380/ucore-master', 'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/ucore-master'],
      ['redis+sentinel://u:s3cr3t@s1/m/2?sentinelUsername=su', 'redis+sentinel://u@s1/m/2?sentinelUsername=su'],
    ];
    for (const [input, stored] of cases) {
      const { url, password } = takePassword(input);
      assert.equal(url, stored, input);
      assert.equal(password, 's3cr3t', input);
      const { password: _taken, ...withoutPassword } = parseConnectionUrl(input) as { password?: string };
      assert.deepEqual(parseConnectionUrl(url), withoutPassword, `${input}: the same target, without the password`);
    }
    for (const plain of ['redis://h:1/0', 'redis://u@h', 'embedded', 'embedded://demo', 'redis+cluster://a:1,b:2']) {
      assert.deepEqual(takePassword(plain), { url: plain });
    }
  });

  it('puts a password back so the parser reads it unchanged, whatever characters it has', () => {
    for (const password of ['s3cr3t', 'p@ss:w/rd', 'a%41b', 'comma,and?hash#', 'ünï code', 'plus+space ']) {
      for (const stored of ['redis://127.0.0.1:6380/0', 'redis://alice@h:1/2?db=2', 'rediss://h,db=1', 'redis+cluster://app@a:1,b:2', 'redis+sentinel://s1,s2/m/1']) {
        const url = putPassword(stored, password);
        const target = parseConnectionUrl(url) as { password?: string };
        assert.equal(target.password, password, `${stored} with ${JSON.stringify(password)} → ${url}`);
        assert.deepEqual(takePassword(url), { url: stored, password });
        assert.ok(!redactUrl(url).includes(encodeURIComponent(password)), `${url} redacts`);
      }
    }
    assert.equal(putPassword('redis://:old@h:1', 'new'), 'redis://:new@h:1');
    assert.equal(putPassword('redis://h:1,password=old', 'new'), 'redis://:new@h:1');
    assert.throws(() => putPassword('embedded', 'x'), BadUrlError);
  });

  it('refuses a URL that does not parse without showing its password', () => {
    for (const bad of ['http://u:topsecret@h', 'redis://u:topsecret@h:99999', 'redis+sentinel://u:topsecret@h:1']) {
      for (const f of [() => takePassword(bad), () => putPassword(bad, 'topsecret')]) {
        assert.throws(f, (e: unknown) => e instanceof BadUrlError && !(e as Error).message.includes('topsecret'));
      }
    }
  });
});
