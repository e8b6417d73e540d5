// Browser code of the flow map panel: the graph of the chosen kind (graph.ts), the stuck entities, services, sagas
// and an entity's timeline. Everything shown comes from other people's events, so it is rendered with DOM nodes and
// textContent only; every message from the host is validated before use. Clicking a type or a step filters the
// stuck list to the entities stopped there; clicking a stuck entity opens its timeline.
import { flowsHostMessageSchema, type FlowsData, type FlowsWebviewMessage, type TraceData } from '../../shared/flowsProtocol';
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
let kindName = '';
let selection: Selection = null;

const app = document.getElementById('app') as HTMLElement;
const status = el('p', { className: 'status muted', data: { figure: 'status' } });
const summary = el('span', { className: 'summary', data: { figure: 'summary' } });
const kindSelect = el('select', { title: 'Kind of entity', data: { control: 'kind' } });
const keyInput = el('input', { title: 'Where events without entity_id name their entity (comma-separated key paths)', data: { control: 'keys' } });
keyInput.placeholder = 'data.order_id';
const refresh = () => send({ type: 'refresh', keyPaths: keyInput.value.split(',').map((k) => k.trim()).filter(Boolean).slice(0, 8) });
const traceInput = el('input', { title: 'Entity to trace', data: { control: 'trace-entity' } });
traceInput.placeholder = 'order:42 or 789';
const graph = new FlowGraph((s) => { selection = s; render(); });
const filterText = el('p', { className: 'filter muted', data: { figure: 'filter' } });
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
  filterText,
  el('h3', { text: 'Stuck entities' }), stuckList,
  el('h3', { text: 'Entity timeline' }),
  el('div', { className: 'trace-form' }, traceInput, button('Trace', () => { if (traceInput.value.trim()) send({ type: 'trace', entity: traceInput.value.trim() }); }, { data: { control: 'trace' } })),
  timeline,
  el('h3', { text: 'Services' }), servicesList,
  el('h3', { text: 'Sagas' }), sagasList,
);
kindSelect.addEventListener('change', () => { kindName = kindSelect.value; selection = null; render(); });
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
  filterText.textContent = selection === null ? 'Click a type or a step to filter the stuck entities; click again to clear.'
    : 'node' in selection ? `Filtered to entities stopped at ${selection.node}.` : `Step ${selection.edge[0]} → ${selection.edge[1]}: entities stopped at ${selection.edge[0]}.`;
  const stuck = data.stuck.filter((s) => (!kind || s.kind === kind.kind) && (at === null || s.lastType === at));
  stuckList.replaceChildren(row(['entity', 'last event', 'age', 'usual within', 'where']), ...(stuck.length ? stuck.map((s) => row(
    [s.entity, s.lastType, duration(s.ageMs), duration(s.thresholdMs), `${s.via}${s.lastId ? ` ${s.lastId}` : ''}`],
    () => send({ type: 'trace', entity: s.entity }), { entity: s.entity },
  )) : [row(['none'])]));
  servicesList.replaceChildren(row(['who', 'what Redis says']), ...(data.services.length ? data.services.map((s) => row([s.label, s.detail])) : [row(['none'])]));
  sagasList.replaceChildren(row(['run', 'status, steps and compensations']), ...(data.sagas.length ? data.sagas.map((s) => row([s.label, s.detail])) : [row(['none'])]));
}

function showFlows(d: FlowsData): void {
  data = d;
  keyInput.value = d.keyPaths.join(', ');
  summary.textContent = `${d.connection}: ${d.summary}`;
  kindSelect.replaceChildren(...d.kinds.map((k) => option(k.kind, `${k.kind} (${k.entities})`)));
  if (!d.kinds.some((k) => k.kind === kindName)) { kindName = d.kinds[0]?.kind ?? ''; selection = null; }
  kindSelect.value = kindName;
  status.textContent = d.kinds.length ? '' : 'No entities in the store yet: events need an entity_id or a key path (e.g. data.order_id).';
  render();
  graph.fit();
}

function showTrace(t: TraceData): void {
  traceInput.value = t.entity;
  const rows = t.steps.map((s) => {
    const item = el('li', { data: { type: s.eventType } },
      el('div', { className: 'step-head' },
        el('span', { className: 'when', text: s.at }),
        el('span', { className: 'gap', text: s.sincePreviousMs === null ? '' : `+${duration(s.sincePreviousMs)}` }),
        el('strong', { text: s.eventType }),
        el('span', { className: 'muted', text: `${s.where}${s.id ? ` ${s.id}` : ''}` })),
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
  const r = flowsHostMessageSchema.safeParse(e.data);
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
