// Browser code of the stream entries panel: a page of entries (id, time, event_type, entity_id, payload preview),
// buttons to page older / newer and to either end, and a "Go to time" box. Everything shown comes from other people's
// streams, so it goes in with textContent only; every message from the host is validated before use.
// Keys: Enter in the time box goes there; on a row Enter (or Space) opens it, ↑/↓ move between rows; PageUp /
// PageDown page older / newer and Ctrl+Home / Ctrl+End go to the ends, unless the focus is in the time box.
import { entriesSchemas, type EntriesPage, type EntriesWebviewMessage } from '../../shared/entriesProtocol';
import { button, el } from '../monitor/dom';

interface VsCodeApi {
  postMessage(message: EntriesWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (m: EntriesWebviewMessage) => vscode.postMessage(m);

const app = document.getElementById('app') as HTMLElement;
const title = el('span', { className: 'stream', data: { figure: 'stream' } });
const where = el('span', { className: 'muted', data: { figure: 'where' } });
const status = el('p', { className: 'status muted', data: { figure: 'status' } });
status.setAttribute('role', 'status');
const timeInput = el('input', { title: 'A date-time (UTC unless it names an offset: 2026-12-01 10:00, 2026-12-01T10:00:00+02:00) or a time before now (-1h, -30m, -2d)', data: { control: 'time' } });
timeInput.placeholder = '2026-12-01 10:00 or -1h';
timeInput.setAttribute('aria-label', 'Go to time');
const go = () => { if (timeInput.value.trim()) send({ type: 'seek', at: timeInput.value.trim().slice(0, 300) }); };
const firstButton = button('⇤ First', () => send({ type: 'first' }), { data: { control: 'first' }, title: 'The oldest entries (Ctrl+Home)' });
const olderButton = button('← Older', () => send({ type: 'older' }), { data: { control: 'older' }, title: 'The page before this one (PageUp)' });
const newerButton = button('Newer →', () => send({ type: 'newer' }), { data: { control: 'newer' }, title: 'The page after this one (PageDown)' });
const lastButton = button('Last ⇥', () => send({ type: 'last' }), { data: { control: 'last' }, title: 'The newest entries (Ctrl+End)' });
const table = el('table', { className: 'rows', data: { section: 'entries' } });
const message = el('p', { className: 'empty-state', data: { figure: 'message' } });
message.hidden = true;

app.replaceChildren(
  el('div', { className: 'toolbar' },
    el('h1', { text: 'Stream entries' }), title, where,
    el('div', { className: 'controls' },
      el('label', { text: 'Go to time ' }, timeInput),
      button('Go', go, { data: { control: 'go' } }),
      firstButton, olderButton, newerButton, lastButton,
      button('Refresh', () => send({ type: 'reload' }), { data: { control: 'reload' }, title: 'Read this page again' }),
    ),
    status,
  ),
  message,
  el('div', { className: 'table-box' }, table),
);
timeInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });

document.addEventListener('keydown', (e) => {
  if (e.target === timeInput) return;
  if (e.key === 'PageUp' && !olderButton.disabled) { e.preventDefault(); send({ type: 'older' }); }
  else if (e.key === 'PageDown' && !newerButton.disabled) { e.preventDefault(); send({ type: 'newer' }); }
  else if (e.key === 'Home' && e.ctrlKey) { e.preventDefault(); send({ type: 'first' }); }
  else if (e.key === 'End' && e.ctrlKey) { e.preventDefault(); send({ type: 'last' }); }
});

function headRow(): HTMLTableRowElement {
  const tr = el('tr');
  for (const h of ['id', 'time (UTC)', 'event_type', 'entity_id', 'payload']) tr.appendChild(el('th', { text: h }));
  return tr;
}

function entryRow(r: EntriesPage['rows'][number]): HTMLTableRowElement {
  const tr = el('tr', { className: 'clickable', title: 'Open as JSON (Enter)', data: { id: r.id } },
    el('td', { className: 'id', text: r.id }),
    el('td', { className: 'time', text: r.time ? r.time.replace('T', ' ') : '—' }),
    // The title (a property, shown as a tooltip) carries what the column's width cuts off.
    el('td', { text: r.eventType, title: r.eventType }),
    el('td', { text: r.entity, title: r.entity }),
    el('td', { className: 'preview', text: r.preview, title: r.preview }),
  );
  tr.tabIndex = 0;
  const open = () => send({ type: 'open', id: r.id });
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); (tr.nextElementSibling as HTMLElement | null)?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); const prev = tr.previousElementSibling as HTMLElement | null; if (prev?.tabIndex === 0) prev.focus(); }
  });
  return tr;
}

/** Tells the host what was drawn, read back from the DOM: the in-host tests check the page shows payloads as text. */
function report(): void {
  const first = table.querySelector('tr[data-id]');
  send({
    type: 'rendered',
    rows: table.querySelectorAll('tr[data-id]').length,
    firstCells: first ? Array.from(first.querySelectorAll('td'), (td) => (td.textContent ?? '').slice(0, 300)) : [],
    message: message.hidden ? '' : (message.textContent ?? '').slice(0, 1000),
    // Elements a payload could have made, were it ever put in as HTML (all the page draws is under #app; VS Code's
    // own script in the head is not counted).
    elements: app.querySelectorAll('img, iframe, object, embed, svg, script, style, link, [onerror], [onload]').length,
  });
}

function showPage(p: EntriesPage): void {
  title.textContent = p.stream;
  where.textContent = `${p.connection} · ${p.where} · ${p.length} in the stream`;
  status.textContent = p.rows.length ? `${p.rows.length} entries, oldest first${p.hasOlder ? ' · older entries before' : ''}${p.hasNewer ? ' · newer entries after' : ''}` : '';
  status.classList.remove('error');
  olderButton.disabled = !p.hasOlder;
  newerButton.disabled = !p.hasNewer;
  message.textContent = p.empty;
  message.hidden = p.rows.length > 0;
  table.hidden = p.rows.length === 0;
  const focused = document.activeElement;
  table.replaceChildren(headRow(), ...p.rows.map(entryRow));
  // Paging from the keyboard keeps the focus on the rows: the first row of the new page.
  if (focused && focused.tagName === 'TR') (table.querySelector('tr[data-id]') as HTMLElement | null)?.focus();
  report();
}

window.addEventListener('message', (e: MessageEvent) => {
  const r = entriesSchemas().entriesHostMessageSchema.safeParse(e.data);
  if (!r.success) {
    status.textContent = 'Dropped a message from the host that was not in the expected shape.';
    return;
  }
  const m = r.data;
  if (m.type === 'page') showPage(m.data);
  else if (m.type === 'busy') { status.textContent = m.text; status.classList.remove('error'); }
  else {
    status.textContent = m.text;
    status.classList.add('error');
    report();
  }
});
send({ type: 'ready' });
