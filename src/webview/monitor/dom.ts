// DOM helpers of the monitor page. Everything shown comes from other people's events (channel names, types,
// entities, payloads), so text goes in with textContent and attributes through properties — never as HTML.

export interface Props {
  className?: string;
  text?: string;
  title?: string;
  /** data-* attributes (tests and CSS hooks). */
  data?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Array<Node | null | undefined>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  if (props.data) for (const [k, v] of Object.entries(props.data)) node.dataset[k] = v;
  for (const c of children) if (c) node.appendChild(c);
  return node;
}

export function button(label: string, onClick: () => void, props: Props = {}): HTMLButtonElement {
  const b = el('button', { ...props, text: label });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export function option(value: string, label: string): HTMLOptionElement {
  const o = el('option', { text: label });
  o.value = value;
  return o;
}

export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function rate(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2)}M/s`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k/s`;
  return `${n >= 100 ? n.toFixed(0) : n.toFixed(1)}/s`;
}

export function num(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(2)}M` : n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n * 100) / 100);
}

export function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}

export function clock(ms: number, withMs = true): string {
  const d = new Date(ms);
  const hms = d.toLocaleTimeString(undefined, { hour12: false });
  return withMs ? `${hms}.${String(d.getMilliseconds()).padStart(3, '0')}` : hms;
}

export function money(n: number): string {
  return n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
