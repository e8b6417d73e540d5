// Browser code of the monitor panel. Everything shown comes from other people's events, so it is rendered with
// DOM nodes and textContent only — never innerHTML — and every message from the host is validated before use.
import {
  hostMessageSchema, webviewStateSchema, type MonitorView, type RateRow, type RecentRow, type WebviewMessage, type WebviewState,
} from '../../shared/monitorProtocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
const saved = webviewStateSchema.safeParse(vscode.getState());
let focusChannel: string | null = saved.success ? saved.data.focusChannel : null;
let lastView: MonitorView | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; title?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  for (const c of children) node.appendChild(c);
  return node;
}

function rate(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k/s` : `${n.toFixed(1)}/s`;
}

function time(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { text: label });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function setFocus(channel: string | null): void {
  focusChannel = channel;
  vscode.setState({ focusChannel });
  vscode.postMessage({ type: 'setFocus', channel });
  if (lastView) render(lastView);
}

function rateTable(title: string, rows: RateRow[], clickable: boolean): HTMLElement {
  const table = el('table', { className: 'rates' });
  const head = el('tr', {}, el('th', { text: title }), el('th', { text: '1 s' }), el('th', { text: '10 s' }), el('th', { text: '60 s' }), el('th', { text: 'total' }));
  table.appendChild(el('thead', {}, head));
  const body = el('tbody');
  for (const r of rows) {
    const nameCell = el('td', { className: 'name', text: r.name, title: r.name });
    const tr = el('tr', {}, nameCell, el('td', { text: rate(r.rate1s) }), el('td', { text: rate(r.rate10s) }), el('td', { text: rate(r.rate60s) }), el('td', { text: String(r.total) }));
    if (clickable) {
      tr.classList.add('clickable');
      if (r.name === focusChannel) tr.classList.add('focused');
      tr.addEventListener('click', () => setFocus(r.name === focusChannel ? null : r.name));
    }
    body.appendChild(tr);
  }
  if (rows.length === 0) body.appendChild(el('tr', {}, el('td', { className: 'muted', text: 'none yet' })));
  table.appendChild(body);
  return el('section', {}, table);
}

function recentList(rows: RecentRow[]): HTMLElement {
  const shown = focusChannel ? rows.filter((r) => r.channel === focusChannel) : rows;
  const list = el('ol', { className: 'recent' });
  for (const r of shown) {
    const meta = el('div', { className: 'meta' },
      el('span', { className: 'time', text: time(r.receivedAt) }),
      el('span', { className: 'channel', text: r.channel, title: r.channel }),
      el('span', { className: 'type', text: r.type, title: r.type }),
      el('span', { className: 'entity', text: r.entity ?? '' }),
      el('span', { className: 'size', text: `${r.sizeBytes} B` }));
    const payload = el('pre', { className: 'payload', text: r.preview + (r.truncated ? ' …' : '') });
    list.appendChild(el('li', {}, meta, payload));
  }
  const title = focusChannel ? `Recent events on ${focusChannel}` : 'Recent events';
  const header = el('h2', { text: title });
  const section = el('section', {}, header);
  if (focusChannel) section.appendChild(button('Show all channels', () => setFocus(null)));
  if (shown.length === 0) section.appendChild(el('p', { className: 'muted', text: focusChannel ? 'No recent event on this channel.' : 'None yet.' }));
  section.appendChild(list);
  return section;
}

function render(view: MonitorView): void {
  lastView = view;
  const parts: Node[] = [];
  const status = view.connection === null ? 'not connected' : `${view.connection} · ${view.status}`;
  parts.push(el('header', {},
    el('h1', { text: 'Live Monitor' }),
    el('span', { className: `status status-${view.status}`, text: status }),
    el('span', { className: 'total', text: `${rate(view.total.rate10s)} · ${view.total.total} events` }),
    button('Clear', () => vscode.postMessage({ type: 'clear' }))));
  if (view.gaps > 0) parts.push(el('p', { className: 'warning', text: `The subscription was lost ${view.gaps}× — events published meanwhile were not seen.` }));
  for (const a of view.alerts) parts.push(el('p', { className: 'warning', text: `Alert ${a.ruleId}: ${a.key} at ${rate(a.rate)} (threshold ${rate(a.threshold)})` }));
  if (view.total.total === 0 && view.recent.length === 0) {
    const empty = el('section', { className: 'empty' }, el('p', { text: 'No events yet — Start Demo Traffic' }));
    if (!view.demoRunning && view.connection !== null) empty.appendChild(button('Start Demo Traffic', () => vscode.postMessage({ type: 'startDemo' })));
    parts.push(empty);
  } else {
    parts.push(el('div', { className: 'grid' }, rateTable('Channel', view.channels, true), rateTable('Event type', view.types, false)));
    parts.push(recentList(view.recent));
  }
  app.replaceChildren(...parts);
}

window.addEventListener('message', (e: MessageEvent) => {
  const r = hostMessageSchema.safeParse(e.data);
  if (!r.success) return; // not from our host, or not in our shape: ignored
  const m = r.data;
  if (m.type === 'update') {
    if (m.view.focusChannel !== focusChannel && m.view.focusChannel !== null) {
      focusChannel = m.view.focusChannel;
      vscode.setState({ focusChannel });
    }
    render(m.view);
  } else if (m.type === 'focusChannel') {
    focusChannel = m.channel;
    vscode.setState({ focusChannel });
    if (lastView) render(lastView);
  }
});

if (focusChannel) vscode.postMessage({ type: 'setFocus', channel: focusChannel });
vscode.postMessage({ type: 'ready' });
