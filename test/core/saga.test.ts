import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError, BadInputError } from '../../src/core/errors';
import { Saga } from '../../src/core/saga/saga';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { MessageRecorder } from '../support/message-recorder';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A promise that never settles: the action of a process that died there. */
const never = () => new Promise<void>(() => {});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

for (const target of transportTargets('saga')) {
  describe(`Saga on the ${target.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    let recorder: MessageRecorder;
    let seq = 0;
    const newId = () => `order-saga-${target.name}-${++seq}`;
    before(async () => {
      ({ transport, done } = await target.make());
      recorder = await MessageRecorder.start(transport, ['saga_events']);
    });
    after(async () => {
      await recorder?.stop();
      await done?.();
    });

    /** Waits for the saga's final event (saga_completed / saga_compensated / the given count). */
    async function settled(sagaId: string, count?: number): Promise<void> {
      const mine = () => recorder.json('saga_events').filter((e) => e.saga_id === sagaId);
      await recorder.waitUntil(() => (count === undefined ? mine().some((e) => e.status.startsWith('saga_')) : mine().length >= count), `saga events of ${sagaId}`);
    }

    /** The saga events of one saga as [step, status] pairs, checking each payload has exactly the guide's fields. */
    function eventsOf(sagaId: string): Array<[string, string]> {
      return recorder.json('saga_events').filter((e) => e.saga_id === sagaId).map((e) => {
        assert.deepEqual(Object.keys(e).sort(), ['saga_id', 'status', 'step', 'timestamp']);
        assert.match(e.timestamp, ISO);
        return [e.step, e.status];
      });
    }

    it('runs the steps in order, checkpoints each, and publishes the guide\'s saga events', async () => {
      const id = newId();
      const ran: string[] = [];
      const saga = new Saga(transport, id)
        .addStep('reserve_inventory', async () => { ran.push('reserve'); }, async () => { ran.push('undo reserve'); })
        .addStep('charge_payment', async () => { ran.push('charge'); }, async () => { ran.push('refund'); })
        .addStep('ship', async () => { ran.push('ship'); }, async () => { ran.push('unship'); });
      const result = await saga.execute();
      assert.deepEqual(result, { sagaId: id, status: 'completed', compensated: [] });
      assert.deepEqual(ran, ['reserve', 'charge', 'ship']);
      await settled(id);
      assert.deepEqual(eventsOf(id), [
        ['reserve_inventory', 'step_completed'], ['charge_payment', 'step_completed'], ['ship', 'step_completed'], ['ship', 'saga_completed'],
      ]);
      assert.deepEqual(await Saga.status(transport, id), {
        status: 'completed', steps: Object.assign(Object.create(null), { reserve_inventory: 'completed', charge_payment: 'completed', ship: 'completed' }),
      });
      const hash = await transport.hgetall(`saga:${id}`);
      assert.ok(Math.abs(Date.parse(hash.updated_at) - Date.now()) < 5000);
      const ttl = await transport.ttl(`saga:${id}`);
      assert.ok(ttl > 7 * 24 * 3600 - 10 && ttl <= 7 * 24 * 3600, `ttl ${ttl}`);
    });

    it('compensates the completed steps in reverse order when a step fails', async () => {
      const id = newId();
      const ran: string[] = [];
      const saga = new Saga(transport, id)
        .addStep('reserve_inventory', async () => { ran.push('reserve'); }, async () => { ran.push('undo reserve'); })
        .addStep('charge_payment', async () => { ran.push('charge'); }, async () => { ran.push('refund'); })
        .addStep('ship', async () => { throw new Error('no carrier available'); }, async () => { ran.push('unship'); })
        .addStep('notify', async () => { ran.push('notify'); }, async () => { ran.push('unnotify'); });
      const result = await saga.execute();
      assert.deepEqual(result, { sagaId: id, status: 'compensated', failedStep: 'ship', error: 'no carrier available', compensated: ['charge_payment', 'reserve_inventory'] });
      assert.deepEqual(ran, ['reserve', 'charge', 'refund', 'undo reserve']);
      await settled(id);
      assert.deepEqual(eventsOf(id), [
        ['reserve_inventory', 'step_completed'], ['charge_payment', 'step_completed'], ['ship', 'step_failed'],
        ['charge_payment', 'step_compensated'], ['reserve_inventory', 'step_compensated'], ['ship', 'saga_compensated'],
      ]);
      const status = await Saga.status(transport, id);
      assert.equal(status?.status, 'compensated');
      assert.deepEqual({ ...status?.steps }, { reserve_inventory: 'compensated', charge_payment: 'compensated', ship: 'failed' });
      const hash = await transport.hgetall(`saga:${id}`);
      assert.equal(hash.failed_step, 'ship');
      assert.equal(hash.error, 'no carrier available');
    });

    it('writes each transition to the checkpoint before publishing its saga event', async () => {
      const id = newId();
      const seenAtPublish: Array<[string, string | undefined]> = [];
      const spy: Transport = Object.create(transport);
      spy.publish = async (channel, message) => {
        const e = JSON.parse(message);
        const hash = await transport.hgetall(`saga:${id}`);
        seenAtPublish.push([e.status, e.status.startsWith('saga_') ? hash.status : hash[`step:${e.step}`]]);
        return transport.publish(channel, message);
      };
      await new Saga(spy, id)
        .addStep('a', async () => {}, async () => {})
        .addStep('b', async () => { throw new Error('x'); }, async () => {})
        .execute();
      assert.deepEqual(seenAtPublish, [
        ['step_completed', 'completed'], ['step_failed', 'failed'], ['step_compensated', 'compensated'], ['saga_compensated', 'compensated'],
      ]);
    });

    it('resumes after a crash in step 2 without running step 1 again', async () => {
      const id = newId();
      const calls = { reserve: 0, charge: 0, ship: 0 };
      const step2Started = deferred();
      // The first process: step 2 never returns (the process died there). Its promise is simply abandoned.
      const first = new Saga(transport, id)
        .addStep('reserve_inventory', async () => { calls.reserve++; }, async () => {})
        .addStep('charge_payment', async () => { calls.charge++; step2Started.resolve(); await never(); }, async () => {})
        .addStep('ship', async () => { calls.ship++; }, async () => {});
      void first.execute();
      await step2Started.promise;
      assert.deepEqual(await Saga.status(transport, id), { status: 'running', steps: Object.assign(Object.create(null), { reserve_inventory: 'completed' }) });

      // The restarted process builds the same saga and executes it again.
      const second = new Saga(transport, id)
        .addStep('reserve_inventory', async () => { calls.reserve++; }, async () => {})
        .addStep('charge_payment', async () => { calls.charge++; }, async () => {})
        .addStep('ship', async () => { calls.ship++; }, async () => {});
      const result = await second.execute();
      assert.equal(result.status, 'completed');
      assert.deepEqual(calls, { reserve: 1, charge: 2, ship: 1 });
      await settled(id);
      assert.deepEqual(eventsOf(id), [
        ['reserve_inventory', 'step_completed'], ['charge_payment', 'step_completed'], ['ship', 'step_completed'], ['ship', 'saga_completed'],
      ]);
    });

    it('stops with AbortedError when interrupted, and the same id resumes later', async () => {
      const id = newId();
      const controller = new AbortController();
      const calls: string[] = [];
      const build = () => new Saga(transport, id)
        .addStep('one', async () => { calls.push('one'); }, async () => { calls.push('undo one'); })
        .addStep('two', async () => {
          calls.push('two');
          if (!controller.signal.aborted) { controller.abort(); throw new Error('interrupted by shutdown'); }
        }, async () => { calls.push('undo two'); })
        .addStep('three', async () => { calls.push('three'); }, async () => {});
      await assert.rejects(build().execute({ signal: controller.signal }), AbortedError);
      assert.deepEqual(calls, ['one', 'two'], 'no compensation for an interruption');
      assert.equal((await Saga.status(transport, id))?.status, 'running');
      const result = await build().execute();
      assert.equal(result.status, 'completed');
      assert.deepEqual(calls, ['one', 'two', 'two', 'three']);
    });

    it('finishes an interrupted compensation on resume and runs no action', async () => {
      const id = newId();
      const calls: string[] = [];
      const refundStarted = deferred();
      void new Saga(transport, id)
        .addStep('reserve', async () => { calls.push('reserve'); }, async () => { calls.push('release'); })
        .addStep('charge', async () => { calls.push('charge'); }, async () => { refundStarted.resolve(); await never(); })
        .addStep('ship', async () => { throw new Error('no carrier'); }, async () => {})
        .execute();
      await refundStarted.promise;
      assert.equal((await Saga.status(transport, id))?.status, 'compensating');

      const result = await new Saga(transport, id)
        .addStep('reserve', async () => { calls.push('reserve!'); }, async () => { calls.push('release'); })
        .addStep('charge', async () => { calls.push('charge!'); }, async () => { calls.push('refund'); })
        .addStep('ship', async () => { calls.push('ship!'); }, async () => {})
        .execute();
      assert.deepEqual(result, { sagaId: id, status: 'compensated', failedStep: 'ship', error: 'no carrier', compensated: ['charge', 'reserve'] });
      assert.deepEqual(calls, ['reserve', 'charge', 'refund', 'release']);
    });

    it('reports a failed compensation, goes on with the others, and retries it on the next execute', async () => {
      const id = newId();
      const calls: string[] = [];
      let refundWorks = false;
      const build = () => new Saga(transport, id)
        .addStep('reserve', async () => {}, async () => { calls.push('release'); })
        .addStep('charge', async () => {}, async () => {
          if (!refundWorks) throw new Error('refund service down');
          calls.push('refund');
        })
        .addStep('ship', async () => { throw new Error('no carrier'); }, async () => {});
      const first = await build().execute();
      assert.deepEqual(first, { sagaId: id, status: 'compensation_failed', failedStep: 'ship', error: 'no carrier', compensated: ['reserve'] });
      assert.deepEqual(calls, ['release']);
      await settled(id, 5);
      assert.deepEqual(eventsOf(id).slice(3), [['charge', 'compensation_failed'], ['reserve', 'step_compensated']]);
      refundWorks = true;
      const second = await build().execute();
      assert.deepEqual(second.compensated, ['charge', 'reserve']);
      assert.equal(second.status, 'compensated');
      assert.deepEqual(calls, ['release', 'refund'], 'the step compensated before is not compensated twice');
    });

    it('does not run a finished saga again', async () => {
      const id = newId();
      let runs = 0;
      const build = () => new Saga(transport, id).addStep('only', async () => { runs++; }, async () => {});
      await build().execute();
      assert.deepEqual(await build().execute(), { sagaId: id, status: 'completed', compensated: [] });
      assert.equal(runs, 1);
      assert.equal(await Saga.status(transport, `${id}-never-ran`), null);
    });

    it('resumes from a checkpoint hash with a status it does not know', async () => {
      const id = newId();
      await transport.hset(`saga:${id}`, { status: 'garbage\u0000', 'step:a': 'completed', 'step:zzz': 'nonsense', '__proto__': 'x' });
      const calls: string[] = [];
      const result = await new Saga(transport, id)
        .addStep('a', async () => { calls.push('a'); }, async () => {})
        .addStep('b', async () => { calls.push('b'); }, async () => {})
        .execute();
      assert.equal(result.status, 'completed');
      assert.deepEqual(calls, ['b']);
    });

    it('rejects bad definitions and a second concurrent execute', async () => {
      const saga = new Saga(transport, newId()).addStep('a', async () => { await new Promise((r) => setTimeout(r, 20)); }, async () => {});
      assert.throws(() => saga.addStep('a', async () => {}, async () => {}), BadInputError);
      assert.throws(() => saga.addStep('', async () => {}, async () => {}), BadInputError);
      assert.throws(() => new Saga(transport, ''), BadInputError);
      const running = saga.execute();
      await assert.rejects(saga.execute(), BadInputError);
      assert.equal((await running).status, 'completed');
    });

    it('uses another channel and key prefix when asked', async () => {
      const id = newId();
      const other = await MessageRecorder.start(transport, ['my_sagas']);
      try {
        await new Saga(transport, id, { channel: 'my_sagas', keyPrefix: 'wf:', checkpointTtlSeconds: 0 }).addStep('s', async () => {}, async () => {}).execute();
        await other.waitFor(2, 'my_sagas');
        assert.deepEqual(other.json('my_sagas').map((e) => e.status), ['step_completed', 'saga_completed']);
        assert.equal((await Saga.status(transport, id, { keyPrefix: 'wf:' }))?.status, 'completed');
        assert.equal(await transport.ttl(`wf:${id}`), -1);
      } finally {
        await other.stop();
      }
    });
  });
}
