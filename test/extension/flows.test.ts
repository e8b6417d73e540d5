// The flow map's host side inside a real extension host: Show Event Flows and Trace Entity open the panel on the
// active (embedded) connection's store, the page's messages are validated (junk is dropped), and what the host sends
// is bounded and clipped whatever the store holds. The page itself is driven in test/e2e/flows.e2e.test.ts.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { EventStore, flowReport, traceEntity } from '../../src/core/index';
import { toFlowsData, toTraceData } from '../../src/extension/flows/flowsData';
import { flowsSchemas, MAX_FLOW_NAME } from '../../src/shared/flowsProtocol';
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

  it('a click on a type or step filters the live monitor (open or not), and the monitor page applies it', async () => {
    const a = await api();
    const flows = a.flows!;
    assert.ok(flows, 'the API exposes the flow map');
    await vscode.commands.executeCommand('ucore.flows.show');
    await eventually('the flow map page ready', () => flows.isReady, 60_000);
    // Following the map's clicks only while the monitor is open: a click with open: false opens nothing.
    a.monitorPanel.current?.dispose();
    flows.receive({ type: 'filterMonitor', channel: '', eventType: 'order_paid', open: false });
    assert.strictEqual(a.monitorPanel.current, undefined, 'a click does not open the monitor by itself');
    // "Show in Monitor": opens it beside, filtered; the page reports the filters it applied.
    flows.receive({ type: 'filterMonitor', channel: '', eventType: 'order_paid', open: true });
    const monitor = await eventually('the monitor panel', () => a.monitorPanel.current);
    await eventually('the monitor page filtered to order_paid', () => monitor.pageFilters.type === 'order_paid' && monitor.pageFilters.channel === '', 60_000);
    // A click on a step while it is open: type and channel.
    flows.receive({ type: 'filterMonitor', channel: 'ecommerce_events', eventType: 'order_shipped', open: false });
    await eventually('the monitor page filtered to the step', () => monitor.pageFilters.type === 'order_shipped' && monitor.pageFilters.channel === 'ecommerce_events');
    assert.deepStrictEqual(flows.lastMonitorFilter, { channel: 'ecommerce_events', type: 'order_shipped' });
    monitor.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  // Runs after the monitor-filter test on purpose: that test closes a flow map whose page was ready, which once left
  // the panel holding the disposed webview (its dispose handler threw before forgetting it), so no live update came.
  it('follows the store while open (live updates, at most one a second) and comes back from a saved state', async () => {
    const a = await api();
    const flows = a.flows!;
    const conn = await a.services.requireConnection();
    const store = new EventStore(conn.transport, { streamKey: a.services.settings.get('storeStreamKey') });
    await vscode.commands.executeCommand('ucore.flows.show');
    await eventually('the flow map page ready', () => flows.isReady, 60_000);
    await eventually('the first map posted', () => flows.flowsPosted >= 1, 30_000);
    const before = flows.flowsPosted;
    const started = Date.now();
    const order = unique('order');
    await store.append({ event_type: 'order_created', entity_id: order, data: {} });
    await eventually('a live update after an append', () => flows.flowsPosted > before, 15_000);
    for (let i = 0; i < 20; i++) await store.append({ event_type: 'order_paid', entity_id: `${order}-${i}`, data: {} });
    await new Promise((r) => setTimeout(r, 2500));
    const perSecond = (flows.flowsPosted - before) / ((Date.now() - started) / 1000);
    assert.ok(perSecond <= 1.2, `at most about one update a second (${perSecond.toFixed(2)}/s)`);
    // The serializer's path: a restored panel with the page's state reads the map again and traces the entity again.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const restored = vscode.window.createWebviewPanel('ucore.flows', 'UCore Event Flows', vscode.ViewColumn.Active, { enableScripts: true });
    const posted = flows.flowsPosted;
    flows.revive(restored, { keyPaths: ['data.order_id', 'data.user_id'], kind: 'order', entity: order });
    assert.strictEqual(flows.current, restored);
    assert.deepStrictEqual(flows.currentKeyPaths, ['data.order_id', 'data.user_id']);
    assert.strictEqual(flows.tracedEntity, order);
    await eventually('the restored panel drawn again', () => flows.flowsPosted > posted, 30_000);
    // Junk state (it comes from the page) falls back to the defaults, never throws.
    flows.revive(restored, { keyPaths: 'x'.repeat(10_000), entity: 42 });
    assert.strictEqual(flows.current, restored);
    const manifest = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(vscode.extensions.getExtension('ucore.ucore-events')!.extensionUri, 'package.json'))).toString()) as { activationEvents: string[] };
    assert.ok(manifest.activationEvents.includes('onWebviewPanel:ucore.flows'), 'VS Code activates the extension to restore the panel');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('accepts only well-formed messages from the page', () => {
    assert.ok(flowsSchemas().flowsWebviewMessageSchema.safeParse({ type: 'ready' }).success);
    assert.ok(flowsSchemas().flowsWebviewMessageSchema.safeParse({ type: 'trace', entity: 'order:1' }).success);
    assert.ok(flowsSchemas().flowsWebviewMessageSchema.safeParse({ type: 'filterMonitor', channel: '', eventType: 'order_paid', open: true }).success);
    for (const junk of [null, 'ready', { type: 'trace' }, { type: 'trace', entity: 'x'.repeat(5000) }, { type: 'refresh', keyPaths: Array(50).fill('a') }, { type: 'eval', code: '1' },
      { type: 'filterMonitor', channel: 'x'.repeat(5000), eventType: '', open: true }, { type: 'filterMonitor', eventType: 'a' }]) {
      assert.ok(!flowsSchemas().flowsWebviewMessageSchema.safeParse(junk).success, JSON.stringify(junk)?.slice(0, 60));
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
    assert.ok(flowsSchemas().flowsDataSchema.safeParse(data).success, 'valid against the page\'s schema');
    for (const n of data.kinds[0]!.nodes) assert.ok(n.type.length <= MAX_FLOW_NAME);
    const trace = toTraceData(await traceEntity(conn.transport, store, 'order:0', { otherStreams: false }));
    assert.ok(flowsSchemas().traceDataSchema.safeParse(trace).success);
    assert.ok(trace.steps.every((s) => s.preview.length <= 2000));
  });
});
