// Browser code of the monitor panel. Everything shown comes from other people's events, so it is rendered with DOM
// nodes and textContent only — never as HTML — and every message from the host is validated before use (invalid
// ones are dropped and logged to the webview console). Bounded everywhere: 15 minutes of per-second points, the
// newest 1000 recent events, the newest 50 alert changes.
import {
  DEFAULT_WEBVIEW_STATE, firstIssue, HISTORY_SECONDS, hostMessageSchema, TIME_WINDOWS, webviewStateSchema,
  type HostMessage, type MonitorUpdate, type Point, type WebviewMessage, type WebviewState,
} from '../../shared/monitorProtocol';
import { readTheme, TimeChart, type ChartSpec } from './charts';
import { button, clock, el, num, option, rate, setText } from './dom';
import { ContractsSection } from './contractsView';
import { RecentTable } from './recentTable';
import { AlertsSection, DashboardSection, RateTable, StreamsView } from './views';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const restored = webviewStateSchema.safeParse(vscode.getState());
const state: WebviewState = restored.success ? restored.data : structuredClone(DEFAULT_WEBVIEW_STATE);
const save = () => vscode.setState(state);
const send = (m: WebviewMessage) => vscode.postMessage(m);

// ---- layout (built once; updates refill it) ----
const app = document.getElementById('app') as HTMLElement;
const connText = el('span', { className: 'conn', data: { figure: 'connection' } });
const totalText = el('span', { className: 'total', data: { figure: 'total' } });
const pauseButton = button('Pause', () => setPaused(!state.paused), { data: { action: 'pause' } });
const clearButton = button('Clear', () => send({ type: 'clear' }), { className: 'secondary', data: { action: 'clear' } });
const demoButton = button('Start Demo Traffic', () => send({ type: demoRunning ? 'stopDemo' : 'startDemo' }), { className: 'secondary', data: { action: 'demo' } });
const windowSelect = el('select', { title: 'Time window of the charts' });
windowSelect.setAttribute('aria-label', 'Time window');
for (const w of TIME_WINDOWS) windowSelect.appendChild(option(String(w), `last ${w / 60} min`));
windowSelect.value = String(state.windowSeconds);
windowSelect.addEventListener('change', () => {
  const w = Number(windowSelect.value);
  if (w === 60 || w === 300 || w === 900) {
    state.windowSeconds = w;
    save();
    scheduleCharts();
  }
});

const gapBanner = el('p', { className: 'warning', data: { banner: 'gap' } });
const statusBanner = el('p', { className: 'warning', data: { banner: 'status' } });
const pausedBanner = el('p', { className: 'notice', data: { banner: 'paused' } });
const errorBanner = el('p', { className: 'error', data: { banner: 'error' } });
// After a switch of connection: which connection the page shows now and what became of the other's history.
const switchText = el('span');
const switchBanner = el('p', { className: 'notice', data: { banner: 'switch' } }, switchText, button('Dismiss', () => { switchBanner.hidden = true; }, { className: 'secondary small' }));
// The demo runs on one connection; when the page shows another, say where it runs.
const demoBanner = el('p', { className: 'notice', data: { banner: 'demo' } });
const emptyCard = el('section', { className: 'card empty' }, el('p', { text: 'No events yet. Publish something, or start the demo: the guide\'s e-commerce flow.' }),
  button('Start Demo Traffic', () => send({ type: 'startDemo' })));
for (const b of [gapBanner, statusBanner, pausedBanner, errorBanner, switchBanner, demoBanner, emptyCard]) b.hidden = true;

const alerts = new AlertsSection({
  add: (rule) => send({ type: 'addAlertRule', rule }),
  remove: (id) => send({ type: 'removeAlertRule', id }),
});

const specs: ChartSpec[] = [
  { title: 'Events/s by channel', pick: (p) => p.channels, total: (p) => p.total, unit: '', empty: 'No events in this window.' },
  { title: 'Events/s by event type', pick: (p) => p.types, total: (p) => p.total, unit: '', empty: 'No events in this window.' },
  { title: 'Stream length', pick: (p) => p.streams, unit: '', empty: 'No sampled stream exists yet.' },
  { title: 'Consumer-group lag', pick: (p) => p.lags, unit: '', empty: 'No consumer group on the sampled streams.' },
  { title: 'Oldest pending entry, idle (s)', pick: (p) => p.ages ?? [], unit: ' s', empty: 'No pending entries sampled yet (a sample every ucore.lag.sampleSeconds).' },
];
let theme = readTheme();
const charts = specs.map((s) => new TimeChart(s, theme));

const channelTable = new RateTable('Channel', true, (name) => setFilters({ ...state.filters, channel: name }));
const typeTable = new RateTable('Event type', false, (name) => setFilters({ ...state.filters, type: name }));
const streamsView = new StreamsView();
const dashboard = new DashboardSection();
const table = new RecentTable((seq) => send({ type: 'inspect', seq }));
const contracts = new ContractsSection((seq) => send({ type: 'openViolation', seq }), () => send({ type: 'clearViolations' }));

function filterInput(label: string, key: keyof WebviewState['filters']): HTMLInputElement {
  const input = el('input', { className: 'filter', data: { filter: key } });
  input.type = 'search';
  input.placeholder = label;
  input.setAttribute('aria-label', `Filter by ${key}`);
  input.value = state.filters[key];
  input.addEventListener('input', () => setFilters({ ...state.filters, [key]: input.value.slice(0, 200) }, false));
  return input;
}
const filterInputs = { channel: filterInput('channel contains…', 'channel'), type: filterInput('type contains…', 'type'), text: filterInput('payload or entity contains…', 'text') };
table.setFilters(state.filters);

app.replaceChildren(
  el('header', { className: 'toolbar' },
    el('h1', { text: 'Live Monitor' }), connText, totalText,
    el('div', { className: 'controls' }, pauseButton, clearButton, windowSelect, demoButton),
    // In the sticky header, so they are seen wherever the page is scrolled to.
    switchBanner, demoBanner),
  gapBanner, statusBanner, pausedBanner, errorBanner, alerts.banner, emptyCard,
  el('div', { className: 'charts' }, ...charts.map((c) => c.root)),
  el('div', { className: 'grid' }, channelTable.root, typeTable.root),
  el('div', { className: 'grid' }, dashboard.root, streamsView.root),
  contracts.root,
  alerts.root,
  el('section', { className: 'card recent', data: { section: 'recent' } },
    el('h3', { text: 'Recent events' }),
    el('div', { className: 'filters' }, filterInputs.channel, filterInputs.type, filterInputs.text,
      button('Clear Filters', () => setFilters({ channel: '', type: '', text: '' }), { className: 'secondary small' })),
    table.root),
);

// ---- state ----
let points: Point[] = [];
let demoRunning = false;
let lastSeq = 0;

function setPaused(paused: boolean): void {
  state.paused = paused;
  save();
  renderPaused();
  send({ type: 'pause', paused });
}

function renderPaused(): void {
  pauseButton.textContent = state.paused ? 'Resume' : 'Pause';
  pauseButton.dataset.paused = String(state.paused);
  pausedBanner.hidden = !state.paused;
  pausedBanner.textContent = 'Paused: the panel is not updated; the monitor keeps counting (and alerting). Resume to catch up.';
}

function setFilters(filters: WebviewState['filters'], syncInputs = true): void {
  state.filters = filters;
  state.focusChannel = filters.channel || null;
  save();
  if (syncInputs) for (const k of ['channel', 'type', 'text'] as const) filterInputs[k].value = filters[k];
  table.setFilters(filters);
  send({ type: 'setFocus', channel: filters.channel || null, filters: { ...filters } });
}

let chartsScheduled = false;
function scheduleCharts(): void {
  if (chartsScheduled) return;
  chartsScheduled = true;
  requestAnimationFrame(() => {
    chartsScheduled = false;
    for (const c of charts) c.draw(points, state.windowSeconds);
  });
}

function addPoints(fresh: readonly Point[]): void {
  if (fresh.length === 0) return;
  const last = points.length ? points[points.length - 1]!.t : -1;
  const newer = fresh.filter((p) => p.t > last);
  if (newer.length === 0) return;
  points = points.concat(newer);
  if (points.length > HISTORY_SECONDS) points = points.slice(points.length - HISTORY_SECONDS);
  scheduleCharts();
}

function render(u: MonitorUpdate): void {
  if (lastSeq && u.seq !== lastSeq + 1) send({ type: 'problem', message: `update ${u.seq} arrived after ${lastSeq}` });
  lastSeq = u.seq;
  demoRunning = u.demoRunning;
  const connected = u.status !== 'none';
  setText(connText, u.connection === null ? 'not connected' : `${u.connection} · ${connected ? u.status : 'not connected'}`);
  connText.title = u.connection === null ? '' : `The monitor shows the active connection, ${u.connection}: its own history, kept when you switch to another connection and back.`;
  connText.className = `conn status-${u.status}`;
  setText(totalText, `${rate(u.total.rate1s)} now · ${rate(u.total.rate10s)} over 10 s · ${num(u.eventsSeen)} events`);
  totalText.dataset.events = String(u.eventsSeen);
  const demoElsewhere = u.demoRunning && u.demoConnection != null && u.demoConnection !== u.connection;
  setText(demoButton, !u.demoRunning ? 'Start Demo Traffic' : demoElsewhere ? `Stop Demo Traffic (on ${u.demoConnection})` : 'Stop Demo Traffic');
  demoButton.title = u.demoRunning && u.demoConnection ? `Demo traffic runs on ${u.demoConnection}` : 'Send the guide\'s e-commerce flow to the active connection';
  demoButton.hidden = !connected && !u.demoRunning;
  demoBanner.hidden = !demoElsewhere;
  if (demoElsewhere) setText(demoBanner, `Demo traffic is running on "${u.demoConnection}", not on "${u.connection}" shown here: switch to "${u.demoConnection}" to watch it, or stop it.`);

  gapBanner.hidden = u.gaps === 0;
  if (u.gaps > 0) {
    setText(gapBanner, `The subscription was lost ${u.gaps}× (last at ${u.lastGapAt ? clock(u.lastGapAt, false) : '?'}): events published meanwhile were not seen, so the rates and totals here are lower than the real traffic. `
      + 'Either the connection to Redis went down, or Redis disconnected this subscriber for falling 32 MB behind (client-output-buffer-limit pubsub) while publishers kept going.');
  }
  const down = u.connection !== null && u.status !== 'ready';
  statusBanner.hidden = !down;
  if (down) {
    setText(statusBanner, u.status === 'reconnecting' ? 'Reconnecting: no events are received until the subscription is back.'
      : u.status === 'none' ? `"${u.connection}" is not connected: nothing is counted until it connects. What it counted before is kept.`
        : `Connection ${u.status}.`);
  }
  emptyCard.hidden = !(u.eventsSeen === 0 && connected && !u.demoRunning && table.size === 0);

  channelTable.fill(u.channels);
  typeTable.fill(u.types);
  streamsView.fill(u.streams);
  dashboard.fill(u.dashboard);
  alerts.setActive(u.active);
  alerts.appendLog(u.alertLog);
  table.add(u.recent, u.skipped);
  contracts.fill(u.contracts);
  addPoints(u.points);
}

function handle(m: HostMessage): void {
  switch (m.type) {
    case 'init':
      // The whole picture of the connection shown, never added to another connection's.
      points = m.history.slice(-HISTORY_SECONDS);
      if (m.connection != null) setText(connText, m.connection);
      switchBanner.hidden = !m.notice;
      setText(switchText, m.notice ?? '');
      lastSeq = 0;
      table.clear();
      contracts.clear();
      alerts.setRules(m.rules);
      alerts.resetLog(m.alertLog);
      if (m.paused !== state.paused) {
        state.paused = m.paused;
        save();
      }
      renderPaused();
      if (m.focusChannel !== null && m.focusChannel !== state.filters.channel) setFilters({ ...state.filters, channel: m.focusChannel });
      scheduleCharts();
      break;
    case 'update':
      errorBanner.hidden = true;
      render(m.update);
      break;
    case 'rules':
      alerts.setRules(m.rules);
      break;
    case 'paused':
      state.paused = m.paused;
      save();
      renderPaused();
      break;
    case 'focusChannel':
      setFilters({ ...state.filters, channel: m.channel ?? '' });
      break;
    case 'filters':
      setFilters({ channel: m.channel, type: m.eventType, text: '' });
      break;
    case 'error':
      alerts.showError(m.message);
      break;
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const r = hostMessageSchema.safeParse(e.data);
  if (!r.success) {
    send({ type: 'problem', message: `dropped an invalid message from the host (${firstIssue(r.error)})`.slice(0, 500) });
    return;
  }
  handle(r.data);
});

// Theme: VS Code swaps the body's class (vscode-light / vscode-dark / vscode-high-contrast) and its variables.
const themeObserver = new MutationObserver(() => {
  theme = readTheme();
  for (const c of charts) c.setTheme(theme);
  scheduleCharts();
});
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
new ResizeObserver(() => { for (const c of charts) c.resize(); }).observe(app);

renderPaused();
save();
send({ type: 'ready', paused: state.paused, focusChannel: state.filters.channel || null });
