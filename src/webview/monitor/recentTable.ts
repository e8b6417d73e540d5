// The recent-events table: a bounded list (MAX_TABLE_ROWS, newest first) rendered virtually — only the rows in
// view exist in the DOM, a fixed pool of row elements refilled with textContent as the list scrolls or grows.
// Filters by channel, type and text; a click (or Enter) on a row asks the host to open it in Inspect Event.
import { MAX_TABLE_ROWS, type RecentRow } from '../../shared/monitorProtocol';
import { bytes, clock, el } from './dom';

const ROW_HEIGHT = 24;
const VIEW_ROWS = 16;

export interface Filters {
  channel: string;
  type: string;
  text: string;
}

interface RowNodes {
  row: HTMLElement;
  time: HTMLElement;
  channel: HTMLElement;
  type: HTMLElement;
  entity: HTMLElement;
  size: HTMLElement;
  preview: HTMLElement;
  seq: number;
}

export class RecentTable {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly window: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly pool: RowNodes[] = [];
  private rows: RecentRow[] = [];
  private shown: RecentRow[] = [];
  private skipped = 0;
  private filters: Filters = { channel: '', type: '', text: '' };
  private drawScheduled = false;

  constructor(private readonly onInspect: (seq: number) => void) {
    const header = el('div', { className: 'vrow vhead' },
      el('span', { className: 'c-time', text: 'Time' }), el('span', { className: 'c-channel', text: 'Channel' }),
      el('span', { className: 'c-type', text: 'Type' }), el('span', { className: 'c-entity', text: 'Entity' }),
      el('span', { className: 'c-size', text: 'Size' }), el('span', { className: 'c-preview', text: 'Payload' }));
    this.spacer = el('div', { className: 'vspacer' });
    this.window = el('div', { className: 'vwindow' });
    this.scroller = el('div', { className: 'vscroll' }, this.spacer, this.window);
    this.scroller.tabIndex = -1;
    this.scroller.addEventListener('scroll', () => this.scheduleDraw());
    this.caption = el('p', { className: 'muted caption' });
    this.root = el('div', { className: 'vtable', data: { rows: '0', shown: '0' } }, header, this.scroller, this.caption);
    for (let i = 0; i < VIEW_ROWS + 2; i++) this.pool.push(this.makeRow());
  }

  get size(): number {
    return this.rows.length;
  }

  setFilters(f: Filters): void {
    this.filters = { ...f };
    this.refilter();
  }

  /** New rows, newest first, from one update; `skipped` more arrived that were not sent. */
  add(rows: readonly RecentRow[], skipped: number): void {
    if (rows.length === 0 && skipped === 0) return;
    this.skipped += skipped;
    this.rows = rows.concat(this.rows);
    if (this.rows.length > MAX_TABLE_ROWS) this.rows.length = MAX_TABLE_ROWS;
    const before = this.shown.length;
    this.refilter(false);
    // Someone reading further down keeps their place while new rows come in on top.
    const added = this.shown.length - before;
    if (this.scroller.scrollTop > 0 && added > 0) this.scroller.scrollTop += added * ROW_HEIGHT;
    this.scheduleDraw();
  }

  clear(): void {
    this.rows = [];
    this.shown = [];
    this.skipped = 0;
    this.scroller.scrollTop = 0;
    this.draw();
  }

  private refilter(draw = true): void {
    const { channel, type, text } = this.filters;
    const c = channel.toLowerCase();
    const t = type.toLowerCase();
    const x = text.toLowerCase();
    this.shown = !c && !t && !x ? this.rows : this.rows.filter((r) =>
      (!c || r.channel.toLowerCase().includes(c))
      && (!t || r.type.toLowerCase().includes(t))
      && (!x || r.preview.toLowerCase().includes(x) || (r.entity ?? '').toLowerCase().includes(x)));
    if (draw) this.scheduleDraw();
  }

  private scheduleDraw(): void {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => {
      this.drawScheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const n = this.shown.length;
    this.spacer.style.height = `${n * ROW_HEIGHT}px`;
    const first = Math.min(Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT)), Math.max(0, n - 1));
    this.window.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const visible: HTMLElement[] = [];
    for (let i = 0; i < this.pool.length; i++) {
      const r = this.shown[first + i];
      if (!r) break;
      const nodes = this.pool[i]!;
      fill(nodes, r);
      visible.push(nodes.row);
    }
    this.window.replaceChildren(...visible);
    this.root.dataset.rows = String(this.rows.length);
    this.root.dataset.shown = String(n);
    const filtered = n !== this.rows.length ? `${n} of ${this.rows.length} kept events match the filters` : `${this.rows.length} events kept (the newest ${MAX_TABLE_ROWS} at most)`;
    const sampled = this.skipped > 0 ? ` · ${this.skipped.toLocaleString()} more arrived between updates and were counted, not listed` : '';
    this.caption.textContent = this.rows.length === 0 ? 'No events yet.' : filtered + sampled;
  }

  private makeRow(): RowNodes {
    const nodes: RowNodes = {
      row: el('div', { className: 'vrow' }),
      time: el('span', { className: 'c-time' }),
      channel: el('span', { className: 'c-channel' }),
      type: el('span', { className: 'c-type' }),
      entity: el('span', { className: 'c-entity' }),
      size: el('span', { className: 'c-size' }),
      preview: el('span', { className: 'c-preview' }),
      seq: 0,
    };
    nodes.row.append(nodes.time, nodes.channel, nodes.type, nodes.entity, nodes.size, nodes.preview);
    nodes.row.tabIndex = 0;
    nodes.row.setAttribute('role', 'button');
    nodes.row.addEventListener('click', () => this.onInspect(nodes.seq));
    nodes.row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.onInspect(nodes.seq);
      }
    });
    return nodes;
  }
}

function fill(n: RowNodes, r: RecentRow): void {
  n.seq = r.seq;
  n.row.dataset.seq = String(r.seq);
  n.time.textContent = clock(r.receivedAt);
  n.channel.textContent = r.channel;
  n.channel.title = r.channel;
  n.type.textContent = r.type;
  n.type.title = r.type;
  n.entity.textContent = r.entity ?? '';
  n.size.textContent = bytes(r.sizeBytes);
  n.preview.textContent = r.truncated ? `${r.preview} …` : r.preview;
  n.row.title = 'Open in Inspect Event';
}
