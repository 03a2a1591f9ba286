// The timeline: an overview strip (events per bucket and kind, findings and leaks, the playhead) and
// a virtualised list of events paged in from the host (requestPage), never the whole timeline.
import type { BootView, TimelineEvent } from '../src/protocol/messages';
import { KIND_ICON, KIND_LABEL, humanSize, big } from './format';
import { kindVar, ownerVar } from './theme';
import { VirtualList } from './virtualList';
import { icon, span } from './dom';

export const PAGE_SIZE = 256;
const MAX_PAGES = 64;
const ROW_H = 22;
const KIND_ORDER = ['reserve', 'alloc', 'free', 'free-late', 'add', 'remove', 'checkpoint', 'other'];
/** Bar height weight per kind: allocator events stand tall, informational lines stay low. */
const KIND_WEIGHT: Record<string, number> = { other: 0.3, checkpoint: 0.6 };

export interface TimelineCallbacks {
  requestPage(start: number, count: number): void;
  /** The user picked an event (click, keyboard in the list, the overview strip). */
  select(index: number, how: 'click' | 'key' | 'enter' | 'overview'): void;
}

export class Timeline {
  readonly list: VirtualList<TimelineEvent>;
  private readonly overview: HTMLCanvasElement;
  private readonly overviewWrap: HTMLElement;
  private view?: BootView;
  private pages = new Map<number, TimelineEvent[]>();
  private inflight = new Set<number>();
  private playhead = -1;
  private frame = 0;
  private dragging = false;

  constructor(
    host: HTMLElement,
    private readonly cb: TimelineCallbacks,
  ) {
    this.overviewWrap = document.createElement('div');
    this.overviewWrap.className = 'overview';
    this.overview = document.createElement('canvas');
    this.overview.className = 'overview-canvas';
    this.overviewWrap.tabIndex = 0;
    this.overviewWrap.setAttribute('role', 'slider');
    this.overviewWrap.setAttribute('aria-label', 'Timeline overview: events per kind over the boot, with findings and leaks. Click or drag to move the playhead; Page Up and Page Down jump by 5%.');
    this.overviewWrap.setAttribute('aria-valuemin', '0');
    this.overviewWrap.append(this.overview);
    this.list = new VirtualList<TimelineEvent>({
      rowHeight: ROW_H,
      label: 'Timeline events',
      getRow: (i) => this.row(i),
      renderRow: (el, item, i) => renderEventRow(el, item, i),
      onVisible: (start, end) => this.ensure(start, end),
      onActivate: (i, how) => this.cb.select(i, how),
    });
    this.list.element.classList.add('timeline-list');
    host.replaceChildren(this.overviewWrap, this.list.element);

    new ResizeObserver(() => this.schedule()).observe(this.overviewWrap);
    const seekAt = (clientX: number) => {
      if (!this.view) return;
      const rect = this.overview.getBoundingClientRect();
      const frac = Math.max(0, Math.min(1, (clientX - rect.left) / Math.max(1, rect.width)));
      const n = this.view.boot.eventCount;
      this.cb.select(Math.min(n - 1, Math.floor(frac * n)), 'overview');
    };
    this.overviewWrap.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      this.overviewWrap.setPointerCapture(e.pointerId);
      seekAt(e.clientX);
    });
    this.overviewWrap.addEventListener('pointermove', (e) => {
      if (this.dragging) seekAt(e.clientX);
    });
    this.overviewWrap.addEventListener('pointerup', (e) => {
      this.dragging = false;
      if (this.overviewWrap.hasPointerCapture(e.pointerId)) this.overviewWrap.releasePointerCapture(e.pointerId);
    });
    this.overviewWrap.addEventListener('keydown', (e) => {
      if (!this.view || (e.key !== 'PageUp' && e.key !== 'PageDown')) return;
      const n = this.view.boot.eventCount;
      const step = Math.max(1, Math.round(n / 20));
      this.cb.select(Math.max(0, Math.min(n - 1, this.playhead + (e.key === 'PageDown' ? step : -step))), 'overview');
      e.preventDefault();
      e.stopPropagation();
    });
  }

  setBoot(view: BootView): void {
    this.view = view;
    this.pages.clear();
    this.inflight.clear();
    this.overviewWrap.setAttribute('aria-valuemax', String(view.boot.eventCount));
    this.list.setCount(view.boot.eventCount);
    this.schedule();
  }

  /** Rows arrived from the host. */
  addPage(start: number, events: TimelineEvent[]): void {
    const page = Math.floor(start / PAGE_SIZE);
    this.inflight.delete(page);
    if (start % PAGE_SIZE !== 0) return;
    this.pages.set(page, events);
    // Keep memory bounded: drop the pages farthest from the playhead.
    if (this.pages.size > MAX_PAGES) {
      const here = Math.floor(Math.max(0, this.playhead) / PAGE_SIZE);
      const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
      for (const p of far.slice(0, this.pages.size - MAX_PAGES)) if (p !== page) this.pages.delete(p);
    }
    this.list.updateRange(start, start + events.length);
  }

  row(i: number): TimelineEvent | undefined {
    const page = this.pages.get(Math.floor(i / PAGE_SIZE));
    return page?.[i % PAGE_SIZE];
  }

  /** Requests the pages covering [start, end) that are neither cached nor on their way. */
  private ensure(start: number, end: number): void {
    if (!this.view) return;
    const first = Math.floor(Math.max(0, start - PAGE_SIZE / 4) / PAGE_SIZE);
    const last = Math.floor(Math.min(this.view.boot.eventCount - 1, end + PAGE_SIZE / 4) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      this.inflight.add(p);
      this.cb.requestPage(p * PAGE_SIZE, PAGE_SIZE);
    }
  }

  setPlayhead(index: number, scroll = true): void {
    this.playhead = index;
    this.list.setActive(index, scroll);
    this.overviewWrap.setAttribute('aria-valuenow', String(index + 1));
    this.overviewWrap.setAttribute('aria-valuetext', this.view ? `event ${index + 1} of ${this.view.boot.eventCount}` : '');
    this.schedule();
  }

  themeChanged(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawOverview();
    });
  }

  private drawOverview(): void {
    const view = this.view;
    const wrap = this.overviewWrap;
    const w = Math.max(50, wrap.clientWidth);
    const h = 56;
    const dpr = window.devicePixelRatio || 1;
    if (this.overview.width !== Math.round(w * dpr) || this.overview.height !== Math.round(h * dpr)) {
      this.overview.width = Math.round(w * dpr);
      this.overview.height = Math.round(h * dpr);
      this.overview.style.width = `${w}px`;
      this.overview.style.height = `${h}px`;
    }
    const ctx = this.overview.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!view) return;
    const style = getComputedStyle(document.body);
    const color = (name: string, fb: string) => style.getPropertyValue(name).trim() || fb;
    const buckets = Math.max(1, view.overview.buckets);
    const kinds = KIND_ORDER.filter((k) => view.overview.kinds[k]);
    for (const k of Object.keys(view.overview.kinds)) if (!kinds.includes(k)) kinds.push(k);
    let max = 1;
    for (let b = 0; b < buckets; b++) {
      let sum = 0;
      for (const k of kinds) sum += (view.overview.kinds[k]?.[b] ?? 0) * (KIND_WEIGHT[k] ?? 1);
      if (sum > max) max = sum;
    }
    const barsH = h - 14;
    const bw = w / buckets;
    for (let b = 0; b < buckets; b++) {
      let y = barsH;
      for (const k of kinds) {
        const v = (view.overview.kinds[k]?.[b] ?? 0) * (KIND_WEIGHT[k] ?? 1);
        if (!v) continue;
        // sqrt scale: one busy bucket does not flatten the rest.
        const hh = (Math.sqrt(v) / Math.sqrt(max)) * (barsH - 2);
        ctx.fillStyle = color(kindVar(k), '#888');
        ctx.fillRect(b * bw, y - hh, Math.max(1, bw - (bw > 3 ? 0.5 : 0)), hh);
        y -= hh;
      }
    }
    const n = Math.max(1, view.boot.eventCount);
    const xOf = (i: number) => ((i + 0.5) / n) * w;
    // Findings (triangles) and leaks (squares) along the bottom: shape as well as colour.
    ctx.fillStyle = color('--bml-finding', '#f14c4c');
    for (const f of view.findings) {
      if (f.eventIndex === undefined) continue;
      const x = xOf(f.eventIndex);
      ctx.beginPath();
      ctx.moveTo(x, h - 11);
      ctx.lineTo(x - 3.5, h - 5);
      ctx.lineTo(x + 3.5, h - 5);
      ctx.fill();
    }
    ctx.fillStyle = color('--bml-leak', '#cca700');
    for (const l of view.leaks) {
      if (l.disposition !== 'suspect') continue;
      ctx.fillRect(xOf(l.eventIndex) - 2, h - 4, 4, 4);
    }
    if (this.playhead >= 0) {
      const x = xOf(this.playhead);
      ctx.fillStyle = color('--bml-playhead', '#0078d4');
      ctx.fillRect(x - 1, 0, 2, h);
      ctx.beginPath();
      ctx.moveTo(x - 5, 0);
      ctx.lineTo(x + 5, 0);
      ctx.lineTo(x, 6);
      ctx.fill();
    }
  }
}


/** One timeline row: index, kind (icon + word), label, size, line, flags. Text only (textContent). */
export function renderEventRow(el: HTMLElement, e: TimelineEvent | undefined, i: number): void {
  el.dataset.index = String(i);
  if (!e) {
    el.className = 'vrow loading';
    el.replaceChildren(span('ev-index', String(i + 1)), span('ev-label', '…'));
    el.setAttribute('aria-label', `Event ${i + 1}: loading`);
    delete el.dataset.line;
    return;
  }
  el.className = `vrow kind-${e.kind}${e.flagged ? ' flagged' : ''}`;
  el.dataset.line = String(e.line);
  el.dataset.kind = e.kind;
  el.style.setProperty('--row-owner', e.owner ? `var(${ownerVar(e.owner)})` : 'transparent');
  const kind = span('ev-kind', KIND_LABEL[e.kind] ?? e.kind);
  kind.prepend(icon(KIND_ICON[e.kind] ?? 'circle-small'));
  const parts: HTMLElement[] = [span('ev-index', String(e.index + 1)), kind, span('ev-label', e.label)];
  if (e.status && e.status !== 'match') parts.push(span(`ev-status status-${e.status}`, e.status));
  if (e.flagged) parts.push(icon('warning', 'has a finding'));
  parts.push(span('ev-line', `L${e.line}`));
  el.replaceChildren(...parts);
  const size = e.size ? `, ${humanSize(big(e.size))}` : '';
  el.setAttribute('aria-label', `Event ${e.index + 1}, line ${e.line}: ${e.label}${size}${e.owner ? `, owner ${e.owner}` : ''}${e.flagged ? ', has a finding' : ''}`);
  el.title = `Line ${e.line}${e.owner ? ` · owner ${e.owner}` : ''}${e.nid !== undefined ? ` · node ${e.nid}` : ''}`;
}
