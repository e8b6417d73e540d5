// The monitor page's contract section: how much of the traffic on contract channels and streams was checked (the
// share, when sampling), checked and violating events per channel and event type, and a bounded list of the newest
// violations (time, channel, type, event id, JSON pointer, message, rule) where a row opens the event and the
// contract at the rule. Hidden while nothing is checked. Everything is other apps' text: textContent only.
import { MAX_VIOLATION_ROWS, type ContractsView, type ViolationRow } from '../../shared/monitorProtocol';
import { button, clock, el, num, setText } from './dom';

export class ContractsSection {
  readonly root: HTMLElement;
  private readonly summary = el('p', { className: 'contracts-summary', data: { figure: 'contracts' } });
  private readonly countsBody = el('tbody');
  private readonly listBody = el('tbody');
  private readonly caption = el('p', { className: 'muted caption' });
  private rows: ViolationRow[] = [];
  private skipped = 0;

  constructor(private readonly onOpen: (seq: number) => void, onClear: () => void) {
    const countsHead = el('tr', {}, el('th', { text: 'Channel / stream' }), el('th', { text: 'event type' }), el('th', { text: 'checked' }), el('th', { text: 'violating' }));
    const listHead = el('tr', {}, ...['Time', 'Channel', 'Type', 'Event id', 'Where', 'Problem', 'Rule'].map((t) => el('th', { text: t })));
    this.root = el('section', { className: 'card contracts', data: { section: 'contracts' } },
      el('div', { className: 'section-head' }, el('h3', { text: 'Contracts' }),
        button('Clear Violations', onClear, { className: 'secondary small', data: { action: 'clearViolations' } })),
      this.summary,
      el('div', { className: 'table-scroll' }, el('table', { className: 'rates contract-counts', data: { table: 'contracts' } }, el('thead', {}, countsHead), this.countsBody)),
      el('h4', { text: 'Violations' }),
      el('div', { className: 'table-scroll violations-scroll' }, el('table', { className: 'violations', data: { table: 'violations' } }, el('thead', {}, listHead), this.listBody)),
      this.caption);
    this.root.hidden = true;
  }

  /** The page starts over (init): the host sends the newest kept violations again. */
  clear(): void {
    this.rows = [];
    this.skipped = 0;
    this.listBody.replaceChildren();
  }

  fill(c: ContractsView | null | undefined): void {
    this.root.hidden = !c;
    if (!c) return;
    const share = c.sampledShare >= 1 ? 'every event checked' : `${(c.sampledShare * 100).toFixed(1)}% checked (sampled above ${num(c.maxChecksPerSecond)}/s)`;
    setText(this.summary, `${num(c.checked)} of ${num(c.covered)} events on contract channels and streams checked · ${share} · ${num(c.violating)} violating`);
    this.summary.dataset.violating = String(c.violating);
    this.summary.dataset.share = String(c.sampledShare);
    this.summary.classList.toggle('has-violations', c.violating > 0);
    const trs = c.rows.map((r) => el('tr', { className: r.violating > 0 ? 'violating' : '' },
      el('td', { className: 'name', text: r.kind === 'channel' ? r.channel : `${r.channel} (${r.kind})`, title: r.channel }),
      el('td', { className: 'type', text: r.type || '(no type)', title: r.type }),
      el('td', { text: num(r.checked) }),
      el('td', { className: 'violating-count', text: num(r.violating) })));
    if (trs.length === 0) trs.push(el('tr', {}, el('td', { className: 'muted', text: 'No event on a contract channel or stream yet.' })));
    this.countsBody.replaceChildren(...trs);
    if (c.violations.length || c.skipped) this.add(c.violations, c.skipped);
  }

  private add(fresh: readonly ViolationRow[], skipped: number): void {
    this.skipped += skipped;
    const known = new Set(this.rows.map((r) => r.seq));
    const added = fresh.filter((r) => !known.has(r.seq)).reverse(); // newest first
    this.rows = added.concat(this.rows).slice(0, MAX_VIOLATION_ROWS);
    this.listBody.replaceChildren(...this.rows.map((r) => this.row(r)));
    const more = this.skipped > 0 ? ` · ${this.skipped.toLocaleString()} more were counted, not listed` : '';
    this.caption.textContent = this.rows.length === 0 ? 'No violations.' : `${this.rows.length} newest violations (${MAX_VIOLATION_ROWS} at most); click one to open the event and the rule${more}`;
  }

  private row(r: ViolationRow): HTMLElement {
    const tr = el('tr', { className: 'clickable', data: { seq: String(r.seq) } },
      el('td', { className: 'time', text: clock(r.time) }),
      el('td', { className: 'name', text: r.kind === 'channel' ? r.channel : `${r.channel} (${r.kind})`, title: r.channel }),
      el('td', { className: 'type', text: r.type || '(no type)', title: r.type }),
      el('td', { className: 'event-id', text: r.eventId ?? '–', title: r.eventId ?? '' }),
      el('td', { className: 'pointer', text: r.pointer || '(event)', title: r.pointer }),
      el('td', { className: 'message', text: r.message, title: r.message }),
      el('td', { className: 'rule', text: r.rule ?? '–', title: r.rule ?? '' }));
    tr.tabIndex = 0;
    tr.setAttribute('role', 'button');
    tr.title = 'Open the event and the contract at the rule';
    tr.addEventListener('click', () => this.onOpen(r.seq));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.onOpen(r.seq);
      }
    });
    return tr;
  }
}
