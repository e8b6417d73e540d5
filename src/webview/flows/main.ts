// Browser code of the flow map panel: the graph of the chosen kind (graph.ts), the stuck entities, services, sagas
// and an entity's timeline. Everything shown comes from other people's events, so it is rendered with DOM nodes and
// textContent only; every message from the host is validated before use. Clicking a type or a step filters the
// stuck list to the entities stopped there; clicking a stuck entity opens its timeline.
import { flowsSchemas, type FlowsData, type FlowsPageState, type FlowsWebviewMessage, type TraceData } from '../../shared/flowsProtocol';
import { sagaRows, SAGA_STATUSES } from './sagas';
import { button, el, option } from '../monitor/dom';
import { duration, FlowGraph, type Selection } from './graph';

interface VsCodeApi {
  postMessage(message: FlowsWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (m: FlowsWebviewMessage) => vscode.postMessage(m);

let data: FlowsData | null = null;
let selection: Selection = null;
// What comes back after the panel is hidden or VS Code reloads (the host's serializer reads it too).
const restored = flowsSchemas().flowsPageStateSchema.safeParse(vscode.getState());
const pageState: FlowsPageState = restored.success ? restored.data : { keyPaths: [], kind: '' };
let kindName = pageState.kind;
const saveState = () => vscode.setState({ ...pageState, kind: kindName });

const app = document.getElementById('app') as HTMLElement;
const status = el('p', { className: 'status muted', data: { figure: 'status' } });
const summary = el('span', { className: 'summary', data: { figure: 'summary' } });
const kindSelect = el('select', { title: 'Kind of entity', data: { control: 'kind' } });
const keyInput = el('input', { title: 'Where events without entity_id name their entity (comma-separated key paths)', data: { control: 'keys' } });
keyInput.placeholder = 'data.order_id';
const refresh = () => send({ type: 'refresh', keyPaths: keyInput.value.split(',').map((k) => k.trim()).filter(Boolean).slice(0, 8) });
const traceInput = el('input', { title: 'Entity to trace', data: { control: 'trace-entity' } });
traceInput.placeholder = 'order:42 or 789';
const graph = new FlowGraph((s) => { selection = s; render(); filterMonitor(false); });
const filterText = el('span', { data: { figure: 'filter' } });
const monitorButton = button('Show in Monitor', () => filterMonitor(true), { data: { control: 'show-in-monitor' }, title: 'Open the live monitor with its recent events filtered to this type (and channel)' });
const filterLine = el('p', { className: 'filter muted' }, filterText, monitorButton);
const sagaStatus = el('select', { title: 'Show saga runs of this status', data: { control: 'saga-status' } });
sagaStatus.replaceChildren(option('', 'all statuses'), option('stuck', 'stuck'), ...SAGA_STATUSES.map((st) => option(st, st)));
const stuckList = el('table', { className: 'rows', data: { section: 'stuck' } });
const servicesList = el('table', { className: 'rows', data: { section: 'services' } });
const sagasList = el('table', { className: 'rows', data: { section: 'sagas' } });
const timeline = el('section', { className: 'timeline', data: { section: 'timeline' } });

app.replaceChildren(
  el('div', { className: 'toolbar' },
    el('h1', { text: 'Event Flows' }), summary,
    el('div', { className: 'controls' },
      el('label', { text: 'Kind ' }, kindSelect),
      el('label', { text: 'Key ' }, keyInput),
      button('Refresh', refresh, { data: { control: 'refresh' } }),
      button('−', () => graph.zoom(1 / 1.25), { title: 'Zoom out' }),
      button('+', () => graph.zoom(1.25), { title: 'Zoom in' }),
      button('Fit', () => graph.fit(), { title: 'Fit the graph' }),
    ),
    status,
  ),
  el('section', { className: 'graph-box' }, graph.element),
  filterLine,
  el('h3', { text: 'Stuck entities' }), stuckList,
  el('h3', { text: 'Entity timeline' }),
  el('div', { className: 'trace-form' }, traceInput, button('Trace', () => { if (traceInput.value.trim()) send({ type: 'trace', entity: traceInput.value.trim() }); }, { data: { control: 'trace' } })),
  timeline,
  el('h3', { text: 'Services' }), servicesList,
  el('div', { className: 'section-head' }, el('h3', { text: 'Sagas' }), sagaStatus), sagasList,
);
sagaStatus.addEventListener('change', () => render());

/**
 * The live monitor filtered to what is selected: a type → that type; a step A → B → type B on the channel B travelled
 * on (when it travelled on one). `open`: open the monitor if it is not (else only an open one follows the clicks).
 */
function filterMonitor(open: boolean): void {
  const kind = data?.kinds.find((k) => k.kind === kindName);
  if (!kind) return;
  const type = selection === null ? '' : 'node' in selection ? selection.node : selection.edge[1];
  const node = kind.nodes.find((n) => n.type === type);
  const channel = selection !== null && 'edge' in selection && node?.channels.length === 1 ? node.channels[0]! : '';
  if (!open && selection === null) return;
  send({ type: 'filterMonitor', eventType: type, channel, open });
}
kindSelect.addEventListener('change', () => { kindName = kindSelect.value; selection = null; saveState(); render(); });
keyInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') refresh(); });
traceInput.addEventListener('keydown', (e) => { if (e.key === 'Enter' && traceInput.value.trim()) send({ type: 'trace', entity: traceInput.value.trim() }); });

function row(cells: string[], onClick?: () => void, dataset?: Record<string, string>): HTMLTableRowElement {
  const tr = el('tr', { data: dataset });
  for (const c of cells) tr.appendChild(el('td', { text: c }));
  if (onClick) {
    tr.classList.add('clickable');
    tr.tabIndex = 0;
    tr.addEventListener('click', onClick);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onClick(); });
  }
  return tr;
}

function render(): void {
  if (!data) return;
  const kind = data.kinds.find((k) => k.kind === kindName) ?? data.kinds[0];
  if (kind) {
    kindName = kind.kind;
    graph.draw(kind, selection);
  }
  // The filter a click on the graph sets: entities stopped at that type (or at the step's source type).
  const at = selection && 'node' in selection ? selection.node : selection && 'edge' in selection ? selection.edge[0] : null;
  filterText.textContent = selection === null ? 'Click a type or a step to filter the stuck entities (and an open monitor); click again to clear.'
    : 'node' in selection ? `Filtered to entities stopped at ${selection.node}.` : `Step ${selection.edge[0]} → ${selection.edge[1]}: entities stopped at ${selection.edge[0]}.`;
  monitorButton.hidden = selection === null;
  const stuck = data.stuck.filter((s) => (!kind || s.kind === kind.kind) && (at === null || s.lastType === at));
  stuckList.replaceChildren(row(['entity', 'last event', 'age', 'usual within', 'where']), ...(stuck.length ? stuck.map((s) => row(
    [s.entity, s.lastType, duration(s.ageMs), duration(s.thresholdMs), `${s.via}${s.lastId ? ` ${s.lastId}` : ''}`],
    () => send({ type: 'trace', entity: s.entity }), { entity: s.entity },
  )) : [row(['none'])]));
  servicesList.replaceChildren(row(['who', 'what Redis says']), ...(data.services.length ? data.services.map((s) => row([s.label, s.detail])) : [row(['none'])]));
  sagasList.replaceChildren(...sagaRows(data.sagas, sagaStatus.value, row));
}

function showFlows(d: FlowsData): void {
  data = d;
  // A live update leaves the key box alone (the user may be typing in it) and keeps zoom and selection.
  if (!d.live || document.activeElement !== keyInput) keyInput.value = d.keyPaths.join(', ');
  pageState.keyPaths = d.keyPaths;
  summary.textContent = `${d.connection}: ${d.summary}${d.live && d.at ? ` (live, ${d.at.slice(11, 19)})` : ''}`;
  kindSelect.replaceChildren(...d.kinds.map((k) => option(k.kind, `${k.kind} (${k.entities})`)));
  if (!d.kinds.some((k) => k.kind === kindName)) { kindName = d.kinds[0]?.kind ?? ''; selection = null; }
  kindSelect.value = kindName;
  status.textContent = d.kinds.length ? '' : 'No entities in the store yet: events need an entity_id or a key path (e.g. data.order_id).';
  saveState();
  render();
  if (!d.live) graph.fit();
}

function showTrace(t: TraceData): void {
  traceInput.value = t.entity;
  pageState.entity = t.entity;
  saveState();
  const rows = t.steps.map((s) => {
    const item = el('li', { data: { type: s.eventType } },
      el('div', { className: 'step-head' },
        el('span', { className: 'when', text: s.at }),
        el('span', { className: 'gap', text: s.sincePreviousMs === null ? '' : `+${duration(s.sincePreviousMs)}` }),
        el('strong', { text: s.eventType }),
        el('span', { className: 'muted', text: `${s.where}${s.id ? ` ${s.id}` : ''}` }),
        ...(s.live ? [el('span', { className: 'badge live', text: 'live', title: 'Seen by the live monitor on a channel; no stream holds it' })] : [])),
      ...s.deliveries.map((d) => el('div', { className: d.startsWith('pending') ? 'delivery pending' : 'delivery', text: d })),
    );
    const details = el('details', {}, el('summary', { text: 'event' }), el('pre', { text: s.preview }));
    item.appendChild(details);
    return item;
  });
  timeline.replaceChildren(el('p', { className: 'muted', text: `${t.entity}: ${t.summary}` }), el('ol', {}, ...rows));
  timeline.scrollIntoView({ block: 'nearest' });
}

window.addEventListener('message', (e: MessageEvent) => {
  const r = flowsSchemas().flowsHostMessageSchema.safeParse(e.data);
  if (!r.success) {
    status.textContent = 'Dropped a message from the host that was not in the expected shape.';
    return;
  }
  const m = r.data;
  if (m.type === 'flows') showFlows(m.data);
  else if (m.type === 'trace') { status.textContent = ''; showTrace(m.data); }
  else if (m.type === 'busy') status.textContent = m.text;
  else status.textContent = m.text;
});
send({ type: 'ready' });
