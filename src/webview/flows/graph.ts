// Draws one kind's directly-follows graph as SVG, laid out by dagre (left to right): a box per event type (count,
// start/end marked), an arrow per step labelled "count · p50/p95". Names are other people's text: they go into SVG
// <text> nodes with textContent, never markup. Zoom with the wheel or the buttons, pan by dragging.
import dagre from '@dagrejs/dagre';
import type { FlowsData } from '../../shared/flowsProtocol';

type Kind = FlowsData['kinds'][number];
export type Selection = { node: string } | { edge: [string, string] } | null;

const SVG = 'http://www.w3.org/2000/svg';
const CHAR_W = 7.2;
const NODE_H = 44;
const MAX_LABEL = 40;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function duration(ms: number | null): string {
  if (ms === null) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const short = (s: string) => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);

/** "by order-service", "by order-service +2": the most frequent publisher of a type and how many others. */
function publishedBy(sources: string[]): string {
  if (!sources.length) return '';
  return short(`by ${sources[0]}${sources.length > 1 ? ` +${sources.length - 1}` : ''}`);
}

export class FlowGraph {
  readonly element: SVGSVGElement;
  private readonly root: SVGGElement;
  private scale = 1;
  private dx = 0;
  private dy = 0;
  private width = 0;
  private height = 0;

  constructor(private readonly onSelect: (s: Selection) => void) {
    this.element = svg('svg', { class: 'flow-graph', role: 'img' });
    this.root = svg('g');
    this.element.appendChild(this.root);
    this.element.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15);
    }, { passive: false });
    let drag: { x: number; y: number } | null = null;
    this.element.addEventListener('pointerdown', (e) => {
      if ((e.target as Element).closest('.node, .edge')) return;
      drag = { x: e.clientX, y: e.clientY };
    });
    window.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.dx += e.clientX - drag.x;
      this.dy += e.clientY - drag.y;
      drag = { x: e.clientX, y: e.clientY };
      this.apply();
    });
    window.addEventListener('pointerup', () => { drag = null; });
  }

  zoom(factor: number): void {
    this.scale = Math.min(4, Math.max(0.2, this.scale * factor));
    this.apply();
  }

  fit(): void {
    const box = this.element.getBoundingClientRect();
    const w = box.width || 800;
    this.scale = Math.min(1.5, Math.max(0.2, w / Math.max(1, this.width + 40)));
    this.dx = 20;
    this.dy = 20;
    this.apply();
  }

  draw(kind: Kind, selection: Selection): void {
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 90, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of kind.nodes) {
      const label = short(n.type);
      const by = publishedBy(n.sources);
      g.setNode(n.type, { width: Math.max(90, Math.max(label.length, by.length) * CHAR_W + 24), height: by ? NODE_H + 14 : NODE_H });
    }
    for (const e of kind.edges) {
      if (!g.hasNode(e.from) || !g.hasNode(e.to)) continue;
      g.setEdge(e.from, e.to, { width: 120, height: 16, labelpos: 'c' });
    }
    dagre.layout(g);
    this.width = g.graph().width ?? 0;
    this.height = g.graph().height ?? 0;
    this.root.replaceChildren();
    const defs = svg('defs');
    // In user space: an arrow head keeps its size whatever the line's width (the width shows the count).
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }));
    defs.appendChild(marker);
    this.root.appendChild(defs);
    const max = Math.max(1, ...kind.edges.map((e) => e.count));
    const selectedNode = selection && 'node' in selection ? selection.node : null;
    const selectedEdge = selection && 'edge' in selection ? selection.edge : null;
    for (const e of kind.edges) {
      const laid = g.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number } | undefined;
      if (!laid?.points?.length) continue;
      const on = (selectedNode !== null && (e.from === selectedNode || e.to === selectedNode)) || (selectedEdge !== null && selectedEdge[0] === e.from && selectedEdge[1] === e.to);
      const group = svg('g', { class: `edge${on ? ' selected' : ''}${selection && !on ? ' dim' : ''}`, 'data-from': e.from, 'data-to': e.to });
      const d = laid.points.map((p, i) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
      group.appendChild(svg('path', { d, class: 'edge-line', 'stroke-width': (1 + 3 * (e.count / max)).toFixed(1), 'marker-end': 'url(#arrow)' }));
      group.appendChild(svg('path', { d, class: 'edge-hit' }));
      if (laid.x !== undefined && laid.y !== undefined) {
        group.appendChild(svg('text', { x: laid.x, y: laid.y, class: 'edge-label', 'text-anchor': 'middle' }, `${e.count} · ${duration(e.p50Ms)}/${duration(e.p95Ms)}`));
      }
      const title = svg('title', {}, `${e.from} → ${e.to}: ${e.count} times, p50 ${duration(e.p50Ms)}, p95 ${duration(e.p95Ms)}`);
      group.appendChild(title);
      group.addEventListener('click', () => this.onSelect(selectedEdge && selectedEdge[0] === e.from && selectedEdge[1] === e.to ? null : { edge: [e.from, e.to] }));
      this.root.appendChild(group);
    }
    for (const n of kind.nodes) {
      const laid = g.node(n.type) as { x: number; y: number; width: number; height: number } | undefined;
      if (!laid) continue;
      const on = selectedNode === n.type;
      const group = svg('g', { class: `node${n.end ? ' end' : ''}${n.starts > 0 ? ' start' : ''}${on ? ' selected' : ''}${selection && !on ? ' dim' : ''}`, 'data-type': n.type, transform: `translate(${laid.x - laid.width / 2}, ${laid.y - laid.height / 2})` });
      group.appendChild(svg('rect', { width: laid.width, height: laid.height, rx: 6 }));
      group.appendChild(svg('text', { x: laid.width / 2, y: 18, 'text-anchor': 'middle', class: 'node-name' }, short(n.type)));
      const marks = [n.starts > 0 ? 'start' : '', n.end ? 'end' : ''].filter(Boolean).join(', ');
      group.appendChild(svg('text', { x: laid.width / 2, y: 34, 'text-anchor': 'middle', class: 'node-count' }, `${n.count}${marks ? ` · ${marks}` : ''}`));
      // The publisher, where the events name one (metadata.source).
      const by = publishedBy(n.sources);
      if (by) group.appendChild(svg('text', { x: laid.width / 2, y: 49, 'text-anchor': 'middle', class: 'node-source' }, by));
      group.appendChild(svg('title', {}, `${n.type}\n${n.count} events; started ${n.starts}, ended ${n.ends}\nseen on: ${n.via.join(', ') || '-'}${n.sources.length ? `\npublished by: ${n.sources.join(', ')}` : ''}`));
      group.addEventListener('click', () => this.onSelect(on ? null : { node: n.type }));
      this.root.appendChild(group);
    }
    this.apply();
  }

  private apply(): void {
    this.root.setAttribute('transform', `translate(${this.dx.toFixed(1)}, ${this.dy.toFixed(1)}) scale(${this.scale.toFixed(3)})`);
    this.element.style.height = `${Math.min(640, Math.max(220, this.height * this.scale + 60))}px`;
  }
}
