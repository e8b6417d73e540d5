// The monitor page's sections besides charts and the recent table: rate tables, streams and groups, the guide's
// dashboard, and alerts (a form for new rules, the rules in force, the alerts firing and the recent alert log).
// Each section is built once and refilled on updates; names go in as text.
import {
  MAX_ALERTS, type AlertEventRow, type AlertRuleRow, type AlertScope, type DashboardView, type NewAlertRule, type RateRow, type StreamRow,
} from '../../shared/monitorProtocol';
import { button, clock, el, money, num, option, rate } from './dom';

// ---------------------------------------------------------------------------------------------------------------
// Rate tables

export class RateTable {
  readonly root: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  /** Notes of the rows shown (why a row counts what it counts), under the table. */
  private readonly notes = el('div', { className: 'table-notes' });

  constructor(title: string, private readonly withSubscribers: boolean, private readonly onPick?: (name: string) => void) {
    const head = el('tr', {}, el('th', { text: title }), el('th', { text: '1 s' }), el('th', { text: '10 s' }), el('th', { text: '60 s' }), el('th', { text: 'total' }));
    if (withSubscribers) head.appendChild(el('th', { text: 'subscribers', title: 'PUBSUB NUMSUB: channel subscribers (pattern subscribers, like this monitor, are not counted)' }));
    this.body = el('tbody');
    this.root = el('section', { className: 'card' },
      el('div', { className: 'table-scroll' }, el('table', { className: 'rates', data: { table: title } }, el('thead', {}, head), this.body)),
      this.notes);
  }

  fill(rows: readonly RateRow[]): void {
    const notes: HTMLElement[] = [];
    const trs = rows.map((r) => {
      const cell = el('div', { className: 'name-cell' }, el('span', { className: 'name-text', text: r.name }));
      const name = el('td', { className: 'name', title: r.note ? `${r.name}\n${r.note}` : r.name }, cell);
      if (r.note) {
        cell.appendChild(el('span', { className: 'row-note-mark', text: '*', title: r.note }));
        notes.push(el('p', { className: 'muted table-note', data: { note: r.name } }, el('span', { className: 'row-note-mark', text: '* ' }), el('span', { text: r.note })));
      }
      const tr = el('tr', {},
        name,
        el('td', { text: rate(r.rate1s) }), el('td', { text: rate(r.rate10s) }), el('td', { text: rate(r.rate60s) }),
        el('td', { text: num(r.total) }));
      if (this.withSubscribers) tr.appendChild(el('td', { text: r.subscribers === undefined || r.subscribers === null ? '–' : String(r.subscribers) }));
      if (this.onPick && r.name !== '(other)') {
        tr.classList.add('clickable');
        tr.title = `Show only ${r.name} in Recent events`;
        tr.addEventListener('click', () => this.onPick!(r.name));
      }
      return tr;
    });
    if (trs.length === 0) trs.push(el('tr', {}, el('td', { className: 'muted', text: 'none yet' })));
    this.body.replaceChildren(...trs);
    this.notes.replaceChildren(...notes);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Streams and consumer groups

export class StreamsView {
  readonly root: HTMLElement;
  private readonly body: HTMLTableSectionElement;

  constructor() {
    this.body = el('tbody');
    const head = el('tr', {}, el('th', { text: 'Stream / group' }), el('th', { text: 'length' }), el('th', { text: 'new/s' }),
      el('th', { text: 'consumers' }), el('th', { text: 'pending' }), el('th', { text: 'lag' }));
    this.root = el('section', { className: 'card' }, el('h3', { text: 'Streams and consumer groups' }),
      el('div', { className: 'table-scroll' }, el('table', { className: 'rates', data: { table: 'streams' } }, el('thead', {}, head), this.body)));
  }

  fill(streams: readonly StreamRow[]): void {
    const rows: HTMLElement[] = [];
    for (const s of streams) {
      rows.push(el('tr', { className: 'stream-row' },
        el('td', { className: 'name', text: s.stream, title: s.error ? `${s.stream}: ${s.error}` : s.stream }),
        el('td', { text: s.exists ? num(s.length) : 'missing' }),
        el('td', { text: s.entriesPerSecond === null ? '–' : rate(s.entriesPerSecond) }),
        el('td'), el('td'), el('td')));
      for (const g of s.groups) {
        rows.push(el('tr', {},
          el('td', { className: 'name group', text: `› ${g.name}`, title: g.name }),
          el('td'), el('td'),
          el('td', { text: String(g.consumers) }), el('td', { text: num(g.pending) }), el('td', { text: g.lag === null ? '?' : num(g.lag) })));
      }
    }
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { className: 'muted', text: 'No stream sampled (setting ucore.monitor.streams).' })));
    this.body.replaceChildren(...rows);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The guide's realtime dashboard

export class DashboardSection {
  readonly root: HTMLElement;
  private readonly orders = el('span', { className: 'figure' });
  private readonly revenue = el('span', { className: 'figure' });
  private readonly users = el('span', { className: 'figure' });
  private readonly statuses = el('tbody');
  private readonly note = el('p', { className: 'muted' });

  constructor() {
    const card = (label: string, value: HTMLElement) => el('div', { className: 'stat' }, value, el('span', { className: 'muted', text: label }));
    this.root = el('section', { className: 'card dashboard', data: { section: 'dashboard' } },
      el('h3', { text: 'E-commerce dashboard' }),
      el('div', { className: 'stats' }, card('orders', this.orders), card('revenue', this.revenue), card('active users', this.users)),
      el('table', { className: 'rates statuses' }, el('thead', {}, el('tr', {}, el('th', { text: 'Orders by status' }), el('th', { text: 'orders' }))), this.statuses),
      this.note);
    this.root.hidden = true;
  }

  fill(d: DashboardView | null): void {
    this.root.hidden = d === null;
    if (!d) return;
    this.orders.textContent = num(d.orders);
    this.revenue.textContent = money(d.revenue);
    this.users.textContent = num(d.activeUsers);
    this.statuses.replaceChildren(...d.byStatus.map(([s, n]) => el('tr', {}, el('td', { className: 'name', text: s }), el('td', { text: num(n) }))));
    this.note.textContent = `From ${num(d.events)} e-commerce events seen since the monitor started (the guide's RealtimeDashboard as a projection).`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Alerts

export function alertText(a: AlertEventRow): string {
  // A stuck consumer: its oldest pending entry's idle time past the threshold while its group reads.
  if (a.scope === 'stuck') return `${a.key}: oldest pending idle ${num(a.value)} s > ${num(a.threshold)} s while others read`;
  const unit = a.scope === 'lag' ? '' : '/s';
  return `${a.key}: ${num(a.value)}${unit} > ${num(a.threshold)}${unit}`;
}

export class AlertsSection {
  readonly root: HTMLElement;
  /** Firing alerts, shown at the top of the page. */
  readonly banner: HTMLElement;
  private readonly rulesList = el('ul', { className: 'rules' });
  private readonly logList = el('ol', { className: 'alert-log' });
  private readonly error = el('p', { className: 'error' });
  private log: AlertEventRow[] = [];
  private readonly scope = el('select');
  private readonly match = el('input');
  private readonly stream = el('input');
  private readonly threshold = el('input');
  private readonly windowSel = el('select');

  constructor(private readonly send: { add(rule: NewAlertRule): void; remove(id: string): void }) {
    this.banner = el('div', { className: 'alert-banner', data: { section: 'active-alerts' } });
    this.banner.setAttribute('role', 'alert');
    this.banner.hidden = true;
    for (const [v, l] of [['channel', 'Channel'], ['type', 'Event type'], ['total', 'All traffic'], ['lag', 'Group lag']] as const) this.scope.appendChild(option(v, l));
    this.scope.title = 'What the threshold applies to';
    this.scope.setAttribute('aria-label', 'Alert scope');
    this.match.setAttribute('aria-label', 'Alert match');
    this.stream.setAttribute('aria-label', 'Alert stream');
    this.stream.placeholder = 'stream (glob, * for all)';
    this.threshold.type = 'number';
    this.threshold.min = '0';
    this.threshold.step = 'any';
    this.threshold.required = true;
    this.threshold.setAttribute('aria-label', 'Alert threshold');
    for (const [v, l] of [['10', 'over 10 s'], ['1', 'over 1 s'], ['60', 'over 60 s']] as const) this.windowSel.appendChild(option(v, l));
    this.windowSel.setAttribute('aria-label', 'Alert window');
    this.scope.addEventListener('change', () => this.scopeChanged());
    const form = el('form', { className: 'alert-form' }, this.scope, this.match, this.stream, el('span', { className: 'gt', text: '>' }), this.threshold, this.windowSel,
      el('button', { text: 'Add Alert' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.scopeChanged();
    this.root = el('section', { className: 'card alerts', data: { section: 'alerts' } },
      el('h3', { text: 'Alerts' }), form, this.error,
      el('h4', { text: 'Rules' }), this.rulesList,
      el('h4', { text: 'Fired and resolved' }), this.logList);
    this.error.hidden = true;
  }

  showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  private scopeChanged(): void {
    const scope = this.scope.value as AlertScope;
    this.match.hidden = scope === 'total';
    this.stream.hidden = scope !== 'lag';
    this.windowSel.hidden = scope === 'lag';
    this.match.placeholder = scope === 'lag' ? 'consumer group (glob)' : scope === 'type' ? 'event type (glob)' : 'channel (glob)';
    this.threshold.placeholder = scope === 'lag' ? 'entries' : 'events/s';
  }

  private submit(): void {
    const scope = this.scope.value as AlertScope;
    const threshold = Number(this.threshold.value);
    if (this.threshold.value.trim() === '' || !Number.isFinite(threshold) || threshold < 0) {
      this.showError('The threshold must be a number ≥ 0.');
      return;
    }
    if (scope !== 'total' && !this.match.value.trim()) {
      this.showError(`Name the ${scope === 'lag' ? 'consumer group' : scope} to watch (a glob such as orders:* works too).`);
      return;
    }
    this.error.hidden = true;
    const rule: NewAlertRule = { scope, match: scope === 'total' ? 'total' : this.match.value.trim().slice(0, 200), threshold };
    if (scope === 'lag') rule.stream = this.stream.value.trim().slice(0, 200) || '*';
    else rule.windowSeconds = Number(this.windowSel.value);
    this.send.add(rule);
    this.match.value = '';
    this.threshold.value = '';
  }

  setRules(rules: readonly AlertRuleRow[]): void {
    const items = rules.map((r) => {
      const li = el('li', {}, el('span', { className: 'rule-id', text: r.id }), el('span', { className: `tag tag-${r.source}`, text: r.source === 'settings' ? 'settings' : 'panel' }));
      if (r.source === 'panel') li.appendChild(button('Remove', () => this.send.remove(r.id), { className: 'secondary small', title: `Remove the rule ${r.id}` }));
      return li;
    });
    if (items.length === 0) items.push(el('li', { className: 'muted', text: 'No rules yet: add one above, or in the setting ucore.monitor.alerts.' }));
    this.rulesList.replaceChildren(...items);
  }

  setActive(active: readonly AlertEventRow[]): void {
    this.banner.hidden = active.length === 0;
    this.banner.replaceChildren(...active.map((a) => el('p', { className: 'firing', text: `Alert ${a.ruleId} — ${alertText(a)} (since ${clock(a.at, false)})` })));
  }

  resetLog(entries: readonly AlertEventRow[]): void {
    this.log = entries.slice(-MAX_ALERTS);
    this.drawLog();
  }

  appendLog(entries: readonly AlertEventRow[]): void {
    if (entries.length === 0) return;
    this.log = this.log.concat(entries).slice(-MAX_ALERTS);
    this.drawLog();
  }

  private drawLog(): void {
    const items = this.log.slice().reverse().map((a) => el('li', { className: `alert-${a.state}` },
      el('span', { className: 'time', text: clock(a.at, false) }),
      el('span', { className: 'state', text: a.state === 'firing' ? 'fired' : 'resolved' }),
      el('span', { text: `${a.ruleId} — ${alertText(a)}` })));
    if (items.length === 0) items.push(el('li', { className: 'muted', text: 'Nothing yet.' }));
    this.logList.replaceChildren(...items);
  }
}
