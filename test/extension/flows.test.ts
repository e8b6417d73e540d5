// The flow map's host side inside a real extension host: Show Event Flows and Trace Entity open the panel on the
// active (embedded) connection's store, the page's messages are validated (junk is dropped), and what the host sends
// is bounded and clipped whatever the store holds. The page itself is driven in test/e2e/flows.e2e.test.ts.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { EventStore, flowReport, traceEntity } from '../../src/core/index';
import { toFlowsData, toTraceData } from '../../src/extension/flows/flowsData';
import { flowsDataSchema, flowsWebviewMessageSchema, MAX_FLOW_NAME, traceDataSchema } from '../../src/shared/flowsProtocol';
import { api, eventually, unique } from './helpers';

const flowTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'UCore Event Flows');

describe('event flows (host side)', function () {
  this.timeout(60_000);

  it('Show Event Flows and Trace Entity open the flow map panel', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const store = new EventStore(conn.transport, { streamKey: a.services.settings.get('storeStreamKey') });
    const order = unique('order');
    await store.append({ event_type: 'order_created', entity_id: order, data: {} });
    await store.append({ event_type: 'order_paid', entity_id: order, data: {} });
    await vscode.commands.executeCommand('ucore.flows.show');
    await eventually('the flow map tab', () => flowTab());
    await vscode.commands.executeCommand('ucore.flows.trace', order);
    assert.ok(flowTab(), 'one panel, reused');
    assert.strictEqual(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'UCore Event Flows').length, 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('accepts only well-formed messages from the page', () => {
    assert.ok(flowsWebviewMessageSchema.safeParse({ type: 'ready' }).success);
    assert.ok(flowsWebviewMessageSchema.safeParse({ type: 'trace', entity: 'order:1' }).success);
    for (const junk of [null, 'ready', { type: 'trace' }, { type: 'trace', entity: 'x'.repeat(5000) }, { type: 'refresh', keyPaths: Array(50).fill('a') }, { type: 'eval', code: '1' }]) {
      assert.ok(!flowsWebviewMessageSchema.safeParse(junk).success, JSON.stringify(junk)?.slice(0, 60));
    }
  });

  it('sends bounded, clipped data whatever the store holds', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const store = new EventStore(conn.transport, { streamKey: unique('flows-hostile'), publishChannel: null });
    const long = `<script>alert(1)</script>${'y'.repeat(10_000)}`;
    // Written as another app would (XADD of the JSON text): our own append refuses a type this long.
    for (let i = 0; i < 120; i++) {
      const event = { event_type: `${long}${i}`, entity_id: `order:${i % 7}`, data: { blob: 'z'.repeat(i === 0 ? 200_000 : 10) } };
      await conn.transport.xadd(store.streamKey, { event: JSON.stringify(event) });
    }
    const report = await flowReport(conn.transport, store, { services: false });
    const data = toFlowsData('embedded', ['data.order_id'], report, []);
    assert.ok(flowsDataSchema.safeParse(data).success, 'valid against the page\'s schema');
    for (const n of data.kinds[0]!.nodes) assert.ok(n.type.length <= MAX_FLOW_NAME);
    const trace = toTraceData(await traceEntity(conn.transport, store, 'order:0', { otherStreams: false }));
    assert.ok(traceDataSchema.safeParse(trace).success);
    assert.ok(trace.steps.every((s) => s.preview.length <= 2000));
  });
});
