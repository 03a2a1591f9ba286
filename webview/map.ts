// The node/block map: one band per NUMA node on a shared, hole-collapsing address axis (axis.ts),
// drawn on a canvas. The same scene (a list of primitives) is drawn on the canvas and serialised to
// SVG for export, so what is exported is what is shown.
//
//   - firmware row: e820/EFI entries (usable: plain; reserved types: cross-hatched + type label)
//   - one band per node: node blocks outlined; memblock.memory at the playhead hatched ("free");
//     memblock.reserved solid in its owner's colour; block parts not in memblock.memory dotted
//   - collapsed holes: a zig-zag marker across all rows with the hole size
//   - the range the current event changed: a dashed outline (plus a DOM flash overlay)
import type { BootView, RegionView, StateMessage, ViewWindow } from '../src/protocol/messages';
import { Axis, type Range } from './axis';
import { big, hex, humanSize, rangeText } from './format';
import { readTheme, textOn, type Theme } from './theme';

export type HitKind = 'reserved' | 'free' | 'absent' | 'firmware' | 'gap' | 'cluster';

export interface HitInfo {
  kind: HitKind;
  base: bigint;
  size: bigint;
  nid?: number | null;
  owner?: string;
  line?: number;
  label?: string;
  flags?: bigint;
  /** cluster: how many reservations it stands for, and their bytes by owner (largest first). */
  count?: number;
  owners?: { owner: string; bytes: bigint }[];
}

interface Item extends HitInfo {
  x0: number;
  x1: number;
}

interface Band {
  /** -1: memory outside every node block (or no NUMA information). */
  nid: number;
  title: string;
  memoryless: boolean;
  blocks: Range[];
  blockItems: Item[];
  items: Item[];
  totalBytes: bigint;
  reservedBytes: bigint;
  freeBytes: bigint;
  reservedCount: number;
}

type Fill = { solid: string } | { pattern: 'free' | 'fw' | 'absent' | 'gap' };

type Prim =
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill?: Fill; stroke?: string; lw?: number; dash?: number[] }
  | { t: 'text'; x: number; y: number; text: string; color: string; font: 'label' | 'small' | 'bold' | 'mono'; align: CanvasTextAlign; halo?: string; maxW?: number }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; color: string; lw: number; dash?: number[] }
  | { t: 'zigzag'; x: number; y: number; h: number; color: string };

interface Hit {
  x: number;
  y: number;
  w: number;
  h: number;
  info: HitInfo;
  band: number;
}

export interface MapCallbacks {
  /** A region was clicked or activated with the keyboard. */
  select(hit: HitInfo): void;
  /** The zoom window changed (persist it). */
  zoomed(win: ViewWindow): void;
  /** Text for the map's own live region (focused region). */
  announce(text: string): void;
}

const GUTTER = 112;
const RIGHT_PAD = 10;
const AXIS_H = 30;
const FW_H = 24;
const BAND_H = 46;
const BAND_GAP = 10;
const MIN_SPAN = 1e-12;
/** Reservations narrower than this are gathered into clusters (one mark, count and owners in its tooltip). */
const MIN_RESERVED_PX = 4;
/** Small reservations closer than this to a cluster's right edge join it. */
const CLUSTER_JOIN_PX = 2;

export class MemoryMap {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly overlay: HTMLElement;
  private readonly flash: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly rangeLabel: HTMLElement;
  private theme: Theme = readTheme();
  private view?: BootView;
  private state?: StateMessage;
  private axis = new Axis([]);
  private bands: Band[] = [];
  private firmwareItems: Item[] = [];
  private win: ViewWindow = { start: 0, end: 1 };
  private hits: Hit[] = [];
  private width = 600;
  private height = 200;
  private frame = 0;
  private hover?: Hit;
  private selected?: { base: bigint; size: bigint };
  private focusBand = 0;
  private focusItem = -1;
  private drag?: { x: number; start: ViewWindow; moved: boolean };
  private patterns = new Map<string, CanvasPattern | null>();

  constructor(
    private readonly host: HTMLElement,
    private readonly cb: MapCallbacks,
  ) {
    host.classList.add('map-canvas-wrap');
    host.tabIndex = 0;
    host.setAttribute('role', 'group');
    host.setAttribute('aria-roledescription', 'memory map');
    host.setAttribute('aria-label', 'Memory map. Plus and minus zoom, Shift+arrows pan, [ and ] move between regions, Up and Down between nodes, Enter zooms to the region, Space shows its line.');
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'map-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    this.ctx = ctx;
    this.overlay = document.createElement('div');
    this.overlay.className = 'map-overlay';
    this.flash = document.createElement('div');
    this.flash.className = 'changed-flash';
    this.flash.hidden = true;
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'map-tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.id = 'map-tooltip';
    this.tooltip.hidden = true;
    this.rangeLabel = document.createElement('div');
    this.rangeLabel.className = 'map-range';
    host.replaceChildren(this.canvas, this.overlay, this.flash, this.tooltip);
    host.after(this.rangeLabel);

    new ResizeObserver(() => this.resize()).observe(host);
    host.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    host.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    host.addEventListener('pointermove', (e) => this.onPointerMove(e));
    host.addEventListener('pointerup', (e) => this.onPointerUp(e));
    host.addEventListener('pointerleave', () => this.hideTooltip());
    host.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    host.addEventListener('keydown', (e) => this.onKey(e));
  }

  // ----------------------------------------------------------------------------------------------
  // Model

  setBoot(view: BootView, win?: ViewWindow): void {
    this.view = view;
    this.state = undefined;
    this.selected = undefined;
    this.focusBand = 0;
    this.focusItem = -1;
    this.extraRanges = [];
    this.buildAxis([]);
    this.win = win ?? { start: 0, end: 1 };
    this.buildBands();
    this.schedule();
  }

  setState(state: StateMessage): void {
    this.state = state;
    // Regions outside the axis (no firmware map, memory outside every node): grow the axis once.
    const outside = [...state.memory, ...state.reserved].some((r) => !this.axis.covers(big(r.base), big(r.size)));
    if (outside) this.buildAxis([...state.memory, ...state.reserved]);
    this.buildBands();
    this.schedule();
    this.placeFlash();
  }

  get window(): ViewWindow {
    return { ...this.win };
  }

  themeChanged(): void {
    this.theme = readTheme();
    this.patterns.clear();
    this.schedule();
  }

  private extraRanges: Range[] = [];

  private buildAxis(extra: RegionView[]): void {
    const view = this.view;
    if (!view) return;
    const ranges: Range[] = [];
    const ram: Range[] = [];
    const splits: bigint[] = [];
    for (const n of view.nodes) {
      for (const b of n.blocks) {
        const r = { base: big(b.base), size: big(b.size) };
        ranges.push(r);
        ram.push(r);
        splits.push(r.base, r.base + r.size);
      }
    }
    for (const f of view.firmware) {
      const r = { base: big(f.base), size: big(f.size) };
      ranges.push(r);
      if (f.usable) ram.push(r);
    }
    for (const r of extra) this.extraRanges.push({ base: big(r.base), size: big(r.size) });
    ranges.push(...this.extraRanges);
    ram.push(...this.extraRanges);
    const isRam = (base: bigint, end: bigint) => ram.some((r) => r.base < end && r.base + r.size > base);
    this.axis = new Axis(ranges, splits, isRam);
  }

  private buildBands(): void {
    const view = this.view;
    if (!view) return;
    const axis = this.axis;
    const item = (info: HitInfo): Item => {
      const [x0, x1] = axis.rangeX(info.base, info.size);
      return { ...info, x0, x1 };
    };
    this.firmwareItems = view.firmware.map((f) =>
      item({ kind: 'firmware', base: big(f.base), size: big(f.size), label: f.type, owner: f.usable ? 'usable' : undefined }),
    );
    const nodes = [...view.nodes].sort((a, b) => a.nid - b.nid);
    const bands: Band[] = nodes.map((n) => {
      const blocks = n.blocks.map((b) => ({ base: big(b.base), size: big(b.size) }));
      return {
        nid: n.nid,
        title: `Node ${n.nid}`,
        memoryless: n.memoryless || blocks.length === 0,
        blocks,
        blockItems: blocks.map((b) => item({ kind: 'absent', base: b.base, size: b.size, nid: n.nid })),
        items: [],
        totalBytes: blocks.reduce((a, b) => a + b.size, 0n),
        reservedBytes: 0n,
        freeBytes: 0n,
        reservedCount: 0,
      };
    });
    const state = this.state;
    const outside: Band = { nid: -1, title: nodes.length ? 'Outside nodes' : 'Memory', memoryless: false, blocks: [], blockItems: [], items: [], totalBytes: 0n, reservedBytes: 0n, freeBytes: 0n, reservedCount: 0 };
    if (state) {
      const place = (r: RegionView, kind: 'free' | 'reserved') => {
        const base = big(r.base);
        const size = big(r.size);
        const end = base + size;
        let covered = 0n;
        for (const band of bands) {
          for (const b of band.blocks) {
            const lo = base > b.base ? base : b.base;
            const hi = end < b.base + b.size ? end : b.base + b.size;
            if (hi <= lo) continue;
            covered += hi - lo;
            band.items.push(item({ kind, base: lo, size: hi - lo, nid: r.nid, owner: r.owner, line: r.line, flags: big(r.flags) }));
            if (kind === 'reserved') {
              band.reservedBytes += hi - lo;
              band.reservedCount++;
            } else band.freeBytes += hi - lo;
          }
        }
        if (covered < size) {
          outside.items.push(item({ kind, base, size, nid: r.nid, owner: r.owner, line: r.line, flags: big(r.flags) }));
          if (kind === 'reserved') {
            outside.reservedBytes += size;
            outside.reservedCount++;
          } else {
            outside.freeBytes += size;
            outside.totalBytes += size;
          }
        }
      };
      for (const r of state.memory) place(r, 'free');
      for (const r of state.reserved) place(r, 'reserved');
      // free = memory minus reserved (the reserved blocks are drawn on top of the hatching).
      for (const band of [...bands, outside]) band.freeBytes = band.freeBytes > band.reservedBytes ? band.freeBytes - band.reservedBytes : 0n;
    }
    if (outside.items.length > 0 || bands.length === 0) bands.push(outside);
    for (const band of bands) band.items.sort((a, b) => (a.kind === b.kind ? (a.base < b.base ? -1 : a.base > b.base ? 1 : 0) : a.kind === 'free' ? -1 : 1));
    this.bands = bands;
    this.renderBandOverlay();
  }

  /** Transparent DOM rows over the canvas bands: names and numbers for screen readers and tests. */
  private renderBandOverlay(): void {
    const rows: HTMLElement[] = [];
    const fw = document.createElement('div');
    fw.className = 'band-overlay firmware-band';
    fw.setAttribute('role', 'img');
    const fwReserved = this.firmwareItems.filter((f) => f.owner !== 'usable').length;
    fw.setAttribute('aria-label', `Firmware memory map: ${this.firmwareItems.length} entries, ${fwReserved} not usable`);
    fw.style.top = `${AXIS_H}px`;
    fw.style.height = `${FW_H}px`;
    rows.push(fw);
    this.bands.forEach((band, i) => {
      const el = document.createElement('div');
      el.className = 'band-overlay node-band';
      el.dataset.nid = String(band.nid);
      el.dataset.reserved = String(band.reservedCount);
      el.setAttribute('role', 'img');
      el.setAttribute('aria-label', this.bandSummary(band));
      el.style.top = `${this.bandY(i)}px`;
      el.style.height = `${BAND_H}px`;
      rows.push(el);
    });
    this.overlay.replaceChildren(...rows);
  }

  private bandSummary(band: Band): string {
    if (band.memoryless) return `${band.title}: memoryless`;
    const parts = [`${band.title}: ${humanSize(band.totalBytes)} in ${band.blocks.length || 'no'} block${band.blocks.length === 1 ? '' : 's'}`];
    if (this.state) parts.push(`${band.reservedCount} reserved regions, ${humanSize(band.reservedBytes)} reserved, ${humanSize(band.freeBytes)} free`);
    return parts.join('; ');
  }

  private bandY(i: number): number {
    return AXIS_H + FW_H + BAND_GAP + i * (BAND_H + BAND_GAP);
  }

  // ----------------------------------------------------------------------------------------------
  // Zoom and pan

  setWindow(win: ViewWindow, notify = true): void {
    let { start, end } = win;
    let span = Math.max(MIN_SPAN, Math.min(1, end - start));
    if (!Number.isFinite(start) || !Number.isFinite(span)) {
      start = 0;
      span = 1;
    }
    start = Math.max(0, Math.min(1 - span, start));
    end = start + span;
    this.win = { start, end };
    this.schedule();
    this.placeFlash();
    if (notify) this.cb.zoomed(this.window);
  }

  zoom(factor: number, at = 0.5): void {
    const span = this.win.end - this.win.start;
    const center = this.win.start + span * at;
    const next = Math.min(1, Math.max(MIN_SPAN, span / factor));
    this.setWindow({ start: center - next * at, end: center - next * at + next });
  }

  pan(fraction: number): void {
    const span = this.win.end - this.win.start;
    this.setWindow({ start: this.win.start + span * fraction, end: this.win.end + span * fraction });
  }

  reset(): void {
    this.setWindow({ start: 0, end: 1 });
  }

  zoomTo(base: bigint, size: bigint): void {
    const [x0, x1] = this.axis.rangeX(base, size);
    const w = Math.max(x1 - x0, MIN_SPAN * 10);
    const pad = w * 0.25;
    this.selected = { base, size };
    this.setWindow({ start: x0 - pad, end: x1 + pad });
  }

  select(range: { base: bigint; size: bigint } | undefined): void {
    this.selected = range;
    this.schedule();
  }

  private plotW(): number {
    return Math.max(20, this.width - GUTTER - RIGHT_PAD);
  }

  private px(x: number): number {
    return GUTTER + ((x - this.win.start) / (this.win.end - this.win.start)) * this.plotW();
  }

  private fracAt(clientX: number): number {
    const rect = this.canvas.getBoundingClientRect();
    return (clientX - rect.left - GUTTER) / this.plotW();
  }

  // ----------------------------------------------------------------------------------------------
  // Rendering

  private resize(): void {
    const w = Math.max(200, Math.floor(this.host.clientWidth));
    if (w !== this.width) {
      this.width = w;
      this.schedule();
      this.placeFlash();
    }
  }

  private contentHeight(): number {
    return this.bandY(Math.max(1, this.bands.length)) + 4;
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    this.height = this.contentHeight();
    const cw = Math.round(this.width * dpr);
    const ch = Math.round(this.height * dpr);
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw;
      this.canvas.height = ch;
      this.canvas.style.width = `${this.width}px`;
      this.canvas.style.height = `${this.height}px`;
      this.host.style.height = `${this.height}px`;
    }
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const prims = this.scene(true);
    for (const p of prims) this.drawPrim(ctx, p);
    this.updateRangeLabel();
  }

  private updateRangeLabel(): void {
    const a = this.axis.at(this.win.start);
    const b = this.axis.at(Math.min(this.win.end, 1 - 1e-15));
    const addr = (x: typeof a, end: boolean) => (!x ? '?' : 'addr' in x ? hex(x.addr) : hex(end ? x.gap.base : x.gap.end));
    const zoom = 1 / (this.win.end - this.win.start);
    this.rangeLabel.textContent =
      zoom <= 1.0001 ? 'Whole address space (holes collapsed, segments scaled by log size)' : `Showing ${addr(a, false)} – ${addr(b, true)} · zoom ×${zoom >= 100 ? Math.round(zoom).toLocaleString('en-US') : zoom.toFixed(1)}`;
  }

  private font(kind: 'label' | 'small' | 'bold' | 'mono'): string {
    const t = this.theme;
    const size = t.fontSize;
    switch (kind) {
      case 'bold':
        return `600 ${size}px ${t.fontFamily}`;
      case 'small':
        return `${Math.max(10, size - 2)}px ${t.fontFamily}`;
      case 'mono':
        return `${Math.max(10, size - 2)}px ${t.monoFamily}`;
      default:
        return `${size - 1}px ${t.fontFamily}`;
    }
  }

  private textWidth(text: string, font: 'label' | 'small' | 'bold' | 'mono'): number {
    this.ctx.font = this.font(font);
    return this.ctx.measureText(text).width;
  }

  /** The scene in CSS pixels. `interactive` also records hit rectangles and draws hover/selection. */
  private scene(interactive: boolean): Prim[] {
    const t = this.theme;
    const prims: Prim[] = [];
    const hits: Hit[] = [];
    const plotL = GUTTER;
    const plotR = GUTTER + this.plotW();
    const clip = (x0: number, x1: number): [number, number] | undefined => {
      let a = this.px(x0);
      let b = this.px(x1);
      if (b < plotL || a > plotR) return undefined;
      if (b - a < 1.5) {
        const mid = (a + b) / 2;
        a = mid - 0.75;
        b = mid + 0.75;
      }
      return [Math.max(plotL, a), Math.min(plotR, b)];
    };

    // Axis: segment boundaries and ticks.
    this.axisPrims(prims, plotL, plotR);

    // Firmware row.
    const fy = AXIS_H;
    prims.push({ t: 'text', x: 8, y: fy + FW_H / 2, text: 'Firmware map', color: t.muted, font: 'small', align: 'left' });
    for (const f of this.firmwareItems) {
      const c = clip(f.x0, f.x1);
      if (!c) continue;
      const usable = f.owner === 'usable';
      const r = { x: c[0], y: fy + 3, w: c[1] - c[0], h: FW_H - 6 };
      prims.push({ t: 'rect', ...r, fill: usable ? { solid: t.panelBg } : { pattern: 'fw' }, stroke: t.border, lw: 1 });
      const label = usable ? 'usable' : (f.label ?? 'reserved');
      if (r.w > this.textWidth(label, 'small') + 8) prims.push({ t: 'text', x: r.x + r.w / 2, y: r.y + r.h / 2, text: label, color: usable ? t.muted : t.fg, font: 'small', align: 'center', halo: usable ? undefined : t.bg });
      hits.push({ ...r, info: f, band: -1 });
    }

    // Node bands.
    this.bands.forEach((band, i) => {
      const y = this.bandY(i);
      const title = band.title;
      prims.push({ t: 'text', x: 8, y: y + 14, text: title, color: t.fg, font: 'bold', align: 'left' });
      const sub = band.memoryless ? 'memoryless' : band.nid === -1 && band.totalBytes === 0n ? `${humanSize(band.reservedBytes)} reserved` : humanSize(band.totalBytes);
      prims.push({ t: 'text', x: 8, y: y + 31, text: sub, color: t.muted, font: 'small', align: 'left' });
      prims.push({ t: 'line', x1: plotL, y1: y + BAND_H + BAND_GAP / 2, x2: plotR, y2: y + BAND_H + BAND_GAP / 2, color: t.border, lw: 0.5 });
      // Node blocks: the part not in memblock.memory shows as dotted "absent".
      for (const b of band.blockItems) {
        const c = clip(b.x0, b.x1);
        if (!c) continue;
        const r = { x: c[0], y: y + 2, w: c[1] - c[0], h: BAND_H - 4 };
        prims.push({ t: 'rect', ...r, fill: { pattern: 'absent' } });
        hits.push({ ...r, info: b, band: i });
      }
      let cluster: SmallRun | undefined;
      for (const it of band.items) {
        const c = clip(it.x0, it.x1);
        if (!c) continue;
        const w = c[1] - c[0];
        if (it.kind === 'free') {
          const r = { x: c[0], y: y + 2, w, h: BAND_H - 4 };
          prims.push({ t: 'rect', ...r, fill: { pattern: 'free' } });
          hits.push({ ...r, info: it, band: i });
          continue;
        }
        if (w < MIN_RESERVED_PX) {
          // Too narrow to tell apart: gather neighbours into one cluster mark.
          if (cluster && c[0] <= cluster.x1 + CLUSTER_JOIN_PX) {
            cluster.items.push(it);
            cluster.x1 = Math.max(cluster.x1, c[1]);
          } else {
            if (cluster) this.drawSmall(prims, hits, cluster, y, i);
            cluster = { items: [it], x0: c[0], x1: c[1] };
          }
          continue;
        }
        this.drawReserved(prims, hits, it, c[0], w, y, i);
      }
      if (cluster) this.drawSmall(prims, hits, cluster, y, i);
      // "free" labels on wide hatched stretches without reservations: computed from gaps between items.
      this.freeLabels(prims, band, y, clip);
      // Outline of the node blocks on top.
      for (const b of band.blockItems) {
        const c = clip(b.x0, b.x1);
        if (c) prims.push({ t: 'rect', x: c[0], y: y + 2, w: c[1] - c[0], h: BAND_H - 4, stroke: t.fg, lw: 1 });
      }
      if (band.memoryless) prims.push({ t: 'text', x: plotL + 8, y: y + BAND_H / 2, text: 'memoryless node: no memory blocks', color: t.muted, font: 'small', align: 'left' });
    });

    // Collapsed holes across every row.
    const top = AXIS_H;
    const bottom = this.bandY(Math.max(1, this.bands.length)) - BAND_GAP / 2;
    for (const g of this.axis.gaps) {
      const a = this.px(g.x0);
      const b = this.px(g.x1);
      if (b < plotL || a > plotR) continue;
      const x = Math.max(plotL, a);
      const w = Math.min(plotR, b) - x;
      if (w <= 0) continue;
      prims.push({ t: 'rect', x, y: top, w, h: bottom - top, fill: { pattern: 'gap' } });
      prims.push({ t: 'zigzag', x: x + w / 2, y: top, h: bottom - top, color: t.gapLine });
      hits.push({ x, y: top, w, h: bottom - top, info: { kind: 'gap', base: g.base, size: g.end - g.base }, band: -2 });
    }

    // What the current event changed: dashed outline in every band it touches.
    const changed = this.state?.changed;
    if (changed) {
      const base = big(changed.base);
      const size = big(changed.size);
      const [x0, x1] = this.axis.rangeX(base, size);
      const c = clip(x0, x1);
      if (c) {
        const a = Math.min(c[0], (c[0] + c[1]) / 2 - 3);
        const b = Math.max(c[1], (c[0] + c[1]) / 2 + 3);
        const inNodes = this.bands.some((band) => band.blocks.some((bl) => bl.base <= base && bl.base + bl.size >= base + size));
        this.bands.forEach((band, i) => {
          const hit = band.blocks.some((bl) => bl.base < base + (size || 1n) && bl.base + bl.size > base);
          if (!(hit || (band.nid === -1 && !inNodes))) return;
          const y = this.bandY(i);
          prims.push({ t: 'rect', x: a - 2, y: y, w: b - a + 4, h: BAND_H, stroke: t.changed, lw: 2, dash: [4, 2] });
        });
      }
    }

    if (interactive) {
      const sel = this.selected;
      if (sel) {
        const [x0, x1] = this.axis.rangeX(sel.base, sel.size);
        const c = clip(x0, x1);
        if (c) {
          const inNodes = this.bands.some((band) => band.blocks.some((bl) => bl.base <= sel.base && bl.base + bl.size >= sel.base + sel.size));
          this.bands.forEach((band, i) => {
            const hit = band.blocks.some((bl) => bl.base < sel.base + sel.size && bl.base + bl.size > sel.base);
            if (!(hit || (band.nid === -1 && !inNodes))) return;
            prims.push({ t: 'rect', x: c[0] - 1, y: this.bandY(i) + 4, w: c[1] - c[0] + 2, h: BAND_H - 8, stroke: t.selection, lw: 2 });
          });
        }
      }
      const focus = this.focusedHit(hits);
      if (focus && document.activeElement === this.host) prims.push({ t: 'rect', x: focus.x - 2, y: focus.y - 2, w: focus.w + 4, h: focus.h + 4, stroke: t.focus, lw: 2 });
      if (this.hover) prims.push({ t: 'rect', x: this.hover.x, y: this.hover.y, w: this.hover.w, h: this.hover.h, stroke: t.fg, lw: 1 });
      this.hits = hits;
    }
    return prims;
  }

  private freeLabels(prims: Prim[], band: Band, y: number, clip: (a: number, b: number) => [number, number] | undefined): void {
    const t = this.theme;
    const free = band.items.filter((i) => i.kind === 'free');
    const reserved = band.items.filter((i) => i.kind === 'reserved');
    const labelW = this.textWidth('free', 'small') + 12;
    for (const f of free) {
      const c = clip(f.x0, f.x1);
      if (!c || c[1] - c[0] < labelW) continue;
      // Find the widest stretch of this free region not covered by reservations.
      const covers = reserved
        .map((r) => clip(r.x0, r.x1))
        .filter((r): r is [number, number] => !!r && r[1] > c[0] && r[0] < c[1])
        .sort((a, b) => a[0] - b[0]);
      let best: [number, number] = [0, 0];
      let at = c[0];
      for (const r of covers) {
        if (r[0] - at > best[1] - best[0]) best = [at, r[0]];
        at = Math.max(at, r[1]);
      }
      if (c[1] - at > best[1] - best[0]) best = [at, c[1]];
      if (best[1] - best[0] >= labelW) {
        prims.push({ t: 'text', x: (best[0] + best[1]) / 2, y: y + BAND_H / 2, text: 'free', color: t.fg, font: 'small', align: 'center', halo: t.bg });
      }
    }
  }

  private axisPrims(prims: Prim[], plotL: number, plotR: number): void {
    const t = this.theme;
    const yLine = AXIS_H - 4;
    prims.push({ t: 'text', x: 8, y: 12, text: 'Physical address', color: t.muted, font: 'small', align: 'left' });
    prims.push({ t: 'line', x1: plotL, y1: yLine, x2: plotR, y2: yLine, color: t.border, lw: 1 });
    let lastRight = -Infinity;
    const label = (x: number, text: string, strong: boolean) => {
      const w = this.textWidth(text, 'mono');
      const left = Math.max(plotL, Math.min(plotR - w, x - w / 2));
      if (left < lastRight + 8) return;
      prims.push({ t: 'line', x1: x, y1: yLine - (strong ? 7 : 4), x2: x, y2: yLine, color: strong ? t.fg : t.muted, lw: 1 });
      prims.push({ t: 'text', x: left, y: 12, text, color: strong ? t.fg : t.muted, font: 'mono', align: 'left' });
      lastRight = left + w;
    };
    const plotW = plotR - plotL;
    for (const s of this.axis.segments) {
      const a = this.px(s.x0);
      const b = this.px(s.x1);
      if (b < plotL || a > plotR) continue;
      if (a >= plotL - 0.5) label(Math.max(plotL, a), hex(s.base), true);
      // Linear ticks inside the segment, a power-of-two step about 120 px apart.
      const segPx = b - a;
      if (segPx < 160) continue;
      const bytesPerPx = Number(s.end - s.base) / segPx;
      let step = 4096n;
      while (Number(step) < bytesPerPx * 120) step *= 2n;
      const visLo = this.axis.at(Math.max(s.x0, this.win.start));
      const startAddr = visLo && 'addr' in visLo ? visLo.addr : s.base;
      let addr = ((startAddr + step - 1n) / step) * step;
      let guard = 0;
      while (addr < s.end && guard++ < 200) {
        const x = this.px(this.axis.toX(addr));
        if (x > plotR) break;
        if (x > a + 40 && x < b - 40) label(x, hex(addr), false);
        addr += step;
      }
    }
    void plotW;
    for (const g of this.axis.gaps) {
      const a = this.px(g.x0);
      const b = this.px(g.x1);
      if (b < plotL || a > plotR) continue;
      const text = `≈${humanSize(g.end - g.base)}`;
      const w = this.textWidth(text, 'small');
      if (b - a > w + 4) prims.push({ t: 'text', x: (a + b) / 2, y: AXIS_H + 2 + FW_H / 2, text, color: t.muted, font: 'small', align: 'center' });
    }
  }

  private pattern(ctx: CanvasRenderingContext2D, name: 'free' | 'fw' | 'absent' | 'gap'): CanvasPattern | string {
    const key = name;
    if (!this.patterns.has(key)) {
      const t = this.theme;
      const dpr = window.devicePixelRatio || 1;
      const size = 8;
      const c = document.createElement('canvas');
      c.width = size * dpr;
      c.height = size * dpr;
      const g = c.getContext('2d');
      if (g) {
        g.scale(dpr, dpr);
        g.lineWidth = 1;
        if (name === 'free') {
          g.fillStyle = t.freeBg;
          g.fillRect(0, 0, size, size);
          g.strokeStyle = t.freeLine;
          g.beginPath();
          g.moveTo(0, size);
          g.lineTo(size, 0);
          g.moveTo(-2, 2);
          g.lineTo(2, -2);
          g.moveTo(size - 2, size + 2);
          g.lineTo(size + 2, size - 2);
          g.stroke();
        } else if (name === 'fw') {
          g.fillStyle = t.fwBg;
          g.fillRect(0, 0, size, size);
          g.strokeStyle = t.fwLine;
          g.beginPath();
          g.moveTo(0, 0);
          g.lineTo(size, size);
          g.moveTo(size, 0);
          g.lineTo(0, size);
          g.stroke();
        } else if (name === 'absent') {
          g.fillStyle = t.absentLine;
          g.fillRect(1, 1, 1.2, 1.2);
          g.fillRect(5, 5, 1.2, 1.2);
        } else {
          g.fillStyle = t.gapBg;
          g.fillRect(0, 0, size, size);
        }
      }
      this.patterns.set(key, ctx.createPattern(c, 'repeat'));
    }
    return this.patterns.get(key) ?? this.theme.panelBg;
  }

  private drawPrim(ctx: CanvasRenderingContext2D, p: Prim): void {
    switch (p.t) {
      case 'rect': {
        if (p.fill) {
          if ('solid' in p.fill) ctx.fillStyle = p.fill.solid;
          else {
            const pat = this.pattern(ctx, p.fill.pattern);
            ctx.fillStyle = pat;
            if (typeof pat !== 'string') pat.setTransform(new DOMMatrix().scale(1 / (window.devicePixelRatio || 1)));
          }
          ctx.fillRect(p.x, p.y, p.w, p.h);
        }
        if (p.stroke) {
          ctx.strokeStyle = p.stroke;
          ctx.lineWidth = p.lw ?? 1;
          ctx.setLineDash(p.dash ?? []);
          ctx.strokeRect(p.x + 0.5, p.y + 0.5, Math.max(0, p.w - 1), Math.max(0, p.h - 1));
          ctx.setLineDash([]);
        }
        break;
      }
      case 'text': {
        ctx.font = this.font(p.font);
        ctx.textAlign = p.align;
        ctx.textBaseline = 'middle';
        if (p.halo) {
          ctx.strokeStyle = p.halo;
          ctx.lineWidth = 3;
          ctx.lineJoin = 'round';
          ctx.strokeText(p.text, p.x, p.y);
        }
        ctx.fillStyle = p.color;
        ctx.fillText(p.text, p.x, p.y);
        break;
      }
      case 'line':
        ctx.strokeStyle = p.color;
        ctx.lineWidth = p.lw;
        ctx.setLineDash(p.dash ?? []);
        ctx.beginPath();
        ctx.moveTo(p.x1, p.y1);
        ctx.lineTo(p.x2, p.y2);
        ctx.stroke();
        ctx.setLineDash([]);
        break;
      case 'zigzag': {
        ctx.strokeStyle = p.color;
        ctx.lineWidth = 1;
        ctx.beginPath();
        for (const dx of [-1.5, 1.5]) {
          ctx.moveTo(p.x + dx, p.y);
          for (let y = p.y, k = 0; y < p.y + p.h; y += 6, k++) ctx.lineTo(p.x + dx + (k % 2 ? -2 : 2), y + 6);
        }
        ctx.stroke();
        break;
      }
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Export

  /** The current view as a standalone SVG document (theme colours baked in). */
  toSvg(title: string): string {
    const t = this.theme;
    const prims = this.scene(false);
    const w = this.width;
    const h = this.contentHeight() + 24;
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const n = (v: number) => (Math.round(v * 100) / 100).toString();
    const fontAttr = (f: 'label' | 'small' | 'bold' | 'mono') => {
      const size = f === 'label' ? t.fontSize - 1 : f === 'bold' ? t.fontSize : Math.max(10, t.fontSize - 2);
      return `font-family="${esc(f === 'mono' ? t.monoFamily : t.fontFamily)}" font-size="${size}"${f === 'bold' ? ' font-weight="600"' : ''}`;
    };
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`);
    out.push(`<title>${esc(title)}</title>`);
    out.push('<defs>');
    out.push(`<pattern id="free" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${esc(t.freeBg)}"/><path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="${esc(t.freeLine)}" stroke-width="1"/></pattern>`);
    out.push(`<pattern id="fw" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${esc(t.fwBg)}"/><path d="M0 0L8 8M8 0L0 8" stroke="${esc(t.fwLine)}" stroke-width="1"/></pattern>`);
    out.push(`<pattern id="absent" width="8" height="8" patternUnits="userSpaceOnUse"><rect x="1" y="1" width="1.2" height="1.2" fill="${esc(t.absentLine)}"/><rect x="5" y="5" width="1.2" height="1.2" fill="${esc(t.absentLine)}"/></pattern>`);
    out.push(`<pattern id="gap" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${esc(t.gapBg)}"/></pattern>`);
    out.push('</defs>');
    out.push(`<rect width="${w}" height="${h}" fill="${esc(t.bg)}"/>`);
    for (const p of prims) {
      switch (p.t) {
        case 'rect': {
          const fill = !p.fill ? 'none' : 'solid' in p.fill ? esc(p.fill.solid) : `url(#${p.fill.pattern})`;
          const stroke = p.stroke ? ` stroke="${esc(p.stroke)}" stroke-width="${p.lw ?? 1}"${p.dash ? ` stroke-dasharray="${p.dash.join(' ')}"` : ''}` : '';
          out.push(`<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(Math.max(0, p.w))}" height="${n(p.h)}" fill="${fill}"${stroke}/>`);
          break;
        }
        case 'text': {
          const anchor = p.align === 'center' ? 'middle' : p.align === 'right' || p.align === 'end' ? 'end' : 'start';
          const halo = p.halo ? ` stroke="${esc(p.halo)}" stroke-width="3" paint-order="stroke" stroke-linejoin="round"` : '';
          out.push(`<text x="${n(p.x)}" y="${n(p.y)}" dominant-baseline="central" text-anchor="${anchor}" fill="${esc(p.color)}" ${fontAttr(p.font)}${halo}>${esc(p.text)}</text>`);
          break;
        }
        case 'line':
          out.push(`<line x1="${n(p.x1)}" y1="${n(p.y1)}" x2="${n(p.x2)}" y2="${n(p.y2)}" stroke="${esc(p.color)}" stroke-width="${p.lw}"/>`);
          break;
        case 'zigzag': {
          const pts: string[] = [];
          for (const dx of [-1.5, 1.5]) {
            let d = `M${n(p.x + dx)} ${n(p.y)}`;
            for (let y = p.y, k = 0; y < p.y + p.h; y += 6, k++) d += `L${n(p.x + dx + (k % 2 ? -2 : 2))} ${n(y + 6)}`;
            pts.push(d);
          }
          out.push(`<path d="${pts.join(' ')}" fill="none" stroke="${esc(p.color)}" stroke-width="1.2"/>`);
          break;
        }
      }
    }
    const caption = this.state?.announcement ?? '';
    out.push(`<text x="8" y="${h - 10}" fill="${esc(t.muted)}" ${fontAttr('small')}>${esc(caption)}</text>`);
    out.push('</svg>');
    return out.join('\n');
  }

  /** The current view as a PNG data URL (device pixel ratio 2 for a crisp image). */
  toPng(): string {
    const scale = 2;
    const c = document.createElement('canvas');
    const h = this.contentHeight() + 24;
    c.width = this.width * scale;
    c.height = h * scale;
    const ctx = c.getContext('2d');
    if (!ctx) return '';
    ctx.scale(scale, scale);
    ctx.fillStyle = this.theme.bg;
    ctx.fillRect(0, 0, this.width, h);
    const saved = this.patterns;
    this.patterns = new Map();
    for (const p of this.scene(false)) this.drawPrim(ctx, p);
    this.patterns = saved;
    ctx.font = this.font('small');
    ctx.fillStyle = this.theme.muted;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(this.state?.announcement ?? '', 8, h - 10);
    return c.toDataURL('image/png');
  }

  // ----------------------------------------------------------------------------------------------
  // Interaction

  private hitAt(clientX: number, clientY: number): Hit | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const x = clientX - rect.left;
    const y = clientY - rect.top;
    let best: Hit | undefined;
    for (const h of this.hits) {
      if (x >= h.x - 1 && x <= h.x + h.w + 1 && y >= h.y && y <= h.y + h.h) {
        // Priority: reserved over free over absent; gaps over everything.
        const rank = (k: HitKind) => (k === 'gap' ? 4 : k === 'reserved' || k === 'cluster' ? 3 : k === 'free' ? 2 : k === 'firmware' ? 2 : 1);
        if (!best || rank(h.info.kind) > rank(best.info.kind) || (rank(h.info.kind) === rank(best.info.kind) && h.w < best.w)) best = h;
      }
    }
    return best;
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const at = Math.max(0, Math.min(1, this.fracAt(e.clientX)));
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const d = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
      this.pan(d / this.plotW());
      return;
    }
    const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0025));
    this.zoom(factor, at);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.host.focus({ preventScroll: true });
    this.drag = { x: e.clientX, start: this.window, moved: false };
    this.host.setPointerCapture(e.pointerId);
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.drag) {
      const dx = e.clientX - this.drag.x;
      if (Math.abs(dx) > 3) this.drag.moved = true;
      if (this.drag.moved) {
        const span = this.drag.start.end - this.drag.start.start;
        const d = (-dx / this.plotW()) * span;
        this.setWindow({ start: this.drag.start.start + d, end: this.drag.start.end + d }, false);
        this.hideTooltip();
        return;
      }
    }
    const hit = this.hitAt(e.clientX, e.clientY);
    if (hit !== this.hover) {
      this.hover = hit;
      this.schedule();
    }
    if (hit) this.showTooltip(hit.info, e.clientX, e.clientY);
    else this.hideTooltip();
  }

  private onPointerUp(e: PointerEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    if (this.host.hasPointerCapture(e.pointerId)) this.host.releasePointerCapture(e.pointerId);
    if (!drag) return;
    if (drag.moved) {
      this.cb.zoomed(this.window);
      return;
    }
    const hit = this.hitAt(e.clientX, e.clientY);
    if (hit && hit.info.kind === 'cluster') {
      this.zoomTo(hit.info.base, hit.info.size);
      return;
    }
    if (hit && hit.info.kind !== 'gap') {
      this.selected = { base: hit.info.base, size: hit.info.size };
      this.syncFocusTo(hit);
      this.schedule();
      this.cb.select(hit.info);
    }
  }

  /** One reserved region, labelled with its owner when the label fits. */
  private drawReserved(prims: Prim[], hits: Hit[], it: Item, x: number, w: number, y: number, band: number): void {
    const t = this.theme;
    const color = t.owner(it.owner);
    // Reservations stay visible (at least 3 px) however far out the map is zoomed.
    const rw = Math.max(3, w);
    const r = { x: w < 3 ? x + w / 2 - 1.5 : x, y: y + 6, w: rw, h: BAND_H - 12 };
    prims.push({ t: 'rect', ...r, fill: { solid: color }, stroke: rw > 5 ? t.bg : undefined, lw: 1 });
    const label = it.owner ?? 'reserved';
    if (rw > this.textWidth(label, 'small') + 8) prims.push({ t: 'text', x: r.x + rw / 2, y: r.y + r.h / 2, text: label, color: textOn(color), font: 'small', align: 'center' });
    hits.push({ ...r, info: it, band });
  }

  /**
   * A run of reservations too narrow to draw one by one: a lone one stays a 3-px sliver; several
   * become one cluster, coloured by the owner holding most of its bytes, outlined, with its count
   * when that fits. Its tooltip lists the owners; a click zooms in until they separate.
   */
  private drawSmall(prims: Prim[], hits: Hit[], run: SmallRun, y: number, band: number): void {
    if (run.items.length === 1) {
      this.drawReserved(prims, hits, run.items[0], run.x0, run.x1 - run.x0, y, band);
      return;
    }
    const t = this.theme;
    const info = clusterInfo(run.items);
    const color = t.owner(info.owners?.[0]?.owner);
    const w = Math.max(MIN_RESERVED_PX, run.x1 - run.x0);
    const r = { x: run.x1 - run.x0 < MIN_RESERVED_PX ? (run.x0 + run.x1) / 2 - MIN_RESERVED_PX / 2 : run.x0, y: y + 6, w, h: BAND_H - 12 };
    prims.push({ t: 'rect', ...r, fill: { solid: color }, stroke: t.fg, lw: 1, dash: [2, 2] });
    const label = `${run.items.length}`;
    if (w > this.textWidth(label, 'small') + 6) prims.push({ t: 'text', x: r.x + w / 2, y: r.y + r.h / 2, text: label, color: textOn(color), font: 'small', align: 'center' });
    hits.push({ ...r, info, band });
  }

  private onDoubleClick(e: MouseEvent): void {
    const hit = this.hitAt(e.clientX, e.clientY);
    if (hit && hit.info.kind !== 'gap') this.zoomTo(hit.info.base, hit.info.size);
  }

  private syncFocusTo(hit: Hit): void {
    if (hit.band < 0) return;
    this.focusBand = hit.band;
    this.focusItem = this.focusList(hit.band).findIndex((i) => i.base === hit.info.base && i.size === hit.info.size && i.kind === hit.info.kind);
  }

  /** Items keyboard focus walks through in a band: reserved and free regions in address order. */
  private focusList(band: number): Item[] {
    const b = this.bands[band];
    if (!b) return [];
    return [...b.items].sort((x, y) => (x.base < y.base ? -1 : x.base > y.base ? 1 : x.kind === 'reserved' ? 1 : -1));
  }

  private focusedHit(hits: Hit[]): Hit | undefined {
    const item = this.focusList(this.focusBand)[this.focusItem];
    if (!item) return undefined;
    return hits.find((h) => h.band === this.focusBand && h.info.base === item.base && h.info.size === item.size && h.info.kind === item.kind);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    let handled = true;
    switch (e.key) {
      case '+':
      case '=':
        this.zoom(2);
        break;
      case '-':
      case '_':
        this.zoom(0.5);
        break;
      case '0':
        this.reset();
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        if (e.shiftKey) this.pan(e.key === 'ArrowLeft' ? -0.2 : 0.2);
        else handled = false; // stepping the playhead (handled globally)
        break;
      case 'ArrowUp':
      case 'ArrowDown': {
        if (this.bands.length === 0) break;
        this.focusBand = Math.max(0, Math.min(this.bands.length - 1, this.focusBand + (e.key === 'ArrowUp' ? -1 : 1)));
        this.focusItem = this.focusList(this.focusBand).length > 0 ? 0 : -1;
        this.announceFocus();
        break;
      }
      case '[':
      case ']': {
        const list = this.focusList(this.focusBand);
        if (list.length === 0) break;
        this.focusItem = e.key === ']' ? Math.min(list.length - 1, this.focusItem + 1) : Math.max(0, this.focusItem - 1);
        this.revealFocus();
        this.announceFocus();
        break;
      }
      case 'Enter': {
        const item = this.focusList(this.focusBand)[this.focusItem];
        if (item) this.zoomTo(item.base, item.size);
        break;
      }
      case ' ': {
        const item = this.focusList(this.focusBand)[this.focusItem];
        if (item) {
          this.selected = { base: item.base, size: item.size };
          this.cb.select(item);
        }
        break;
      }
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
      this.schedule();
    }
  }

  /** Pans so the focused item is visible. */
  private revealFocus(): void {
    const item = this.focusList(this.focusBand)[this.focusItem];
    if (!item) return;
    if (item.x1 < this.win.start || item.x0 > this.win.end) {
      const span = this.win.end - this.win.start;
      const mid = (item.x0 + item.x1) / 2;
      this.setWindow({ start: mid - span / 2, end: mid + span / 2 });
    }
  }

  private announceFocus(): void {
    const band = this.bands[this.focusBand];
    const item = this.focusList(this.focusBand)[this.focusItem];
    if (!band) return;
    if (!item) {
      this.cb.announce(this.bandSummary(band));
      return;
    }
    this.cb.announce(`${band.title}: ${describe(item).join(', ')}`);
    this.schedule();
  }

  private showTooltip(info: HitInfo, clientX: number, clientY: number): void {
    const lines = describe(info);
    const tip = this.tooltip;
    tip.replaceChildren(
      ...lines.map((l, i) => {
        const d = document.createElement('div');
        d.textContent = l;
        if (i === 0) d.className = 'tip-title';
        return d;
      }),
    );
    tip.hidden = false;
    const host = this.host.getBoundingClientRect();
    const x = clientX - host.left + 14;
    const y = clientY - host.top + 14;
    const w = tip.offsetWidth;
    tip.style.left = `${Math.max(0, Math.min(x, host.width - w - 4))}px`;
    tip.style.top = `${y}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
    if (this.hover) {
      this.hover = undefined;
      this.schedule();
    }
  }

  /** Restarts the flash overlay over the range the current event changed. */
  private placeFlash(): void {
    const changed = this.state?.changed;
    const flash = this.flash;
    if (!changed) {
      flash.hidden = true;
      delete flash.dataset.base;
      return;
    }
    const base = big(changed.base);
    const size = big(changed.size);
    const [x0, x1] = this.axis.rangeX(base, size);
    let a = this.px(x0);
    let b = this.px(x1);
    const plotR = GUTTER + this.plotW();
    if (b < GUTTER || a > plotR) {
      flash.hidden = true;
      return;
    }
    if (b - a < 8) {
      const m = (a + b) / 2;
      a = m - 4;
      b = m + 4;
    }
    let bandIndex = this.bands.findIndex((band) => band.blocks.some((bl) => bl.base <= base && bl.base + bl.size > base));
    if (bandIndex < 0) bandIndex = Math.max(0, this.bands.findIndex((band) => band.nid === -1));
    flash.hidden = false;
    flash.dataset.base = changed.base;
    flash.dataset.kind = changed.kind;
    flash.style.left = `${Math.max(GUTTER, a) - 2}px`;
    flash.style.width = `${Math.min(plotR, b) - Math.max(GUTTER, a) + 4}px`;
    flash.style.top = `${this.bandY(bandIndex)}px`;
    flash.style.height = `${BAND_H}px`;
    const key = `${this.state?.eventIndex}`;
    if (flash.dataset.event !== key) {
      flash.dataset.event = key;
      flash.classList.remove('flashing');
      void flash.offsetWidth; // restart the CSS animation
      flash.classList.add('flashing');
    }
  }
}

interface SmallRun {
  items: Item[];
  x0: number;
  x1: number;
}

/** What a cluster of small reservations stands for: its span, count and bytes per owner. */
export function clusterInfo(items: readonly HitInfo[]): HitInfo {
  let base = items[0].base;
  let end = items[0].base + items[0].size;
  const bytes = new Map<string, bigint>();
  for (const it of items) {
    if (it.base < base) base = it.base;
    if (it.base + it.size > end) end = it.base + it.size;
    const owner = it.owner ?? 'reserved';
    bytes.set(owner, (bytes.get(owner) ?? 0n) + it.size);
  }
  const owners = [...bytes].map(([owner, b]) => ({ owner, bytes: b })).sort((a, b) => (a.bytes > b.bytes ? -1 : a.bytes < b.bytes ? 1 : a.owner < b.owner ? -1 : 1));
  return { kind: 'cluster', base, size: end - base, count: items.length, owners };
}

/** Tooltip / announcement lines for a map item: what, range, size, owner, line. */
export function describe(info: HitInfo): string[] {
  const lines: string[] = [];
  switch (info.kind) {
    case 'reserved':
      lines.push(`Reserved · ${info.owner ?? 'owner unknown'}`);
      break;
    case 'free':
      lines.push('Free (in memblock.memory, not reserved)');
      break;
    case 'absent':
      lines.push(`Node ${info.nid ?? '?'} block (not in memblock.memory at this point)`);
      break;
    case 'firmware':
      lines.push(`Firmware map · ${info.label ?? '?'}${info.owner === 'usable' ? '' : ' (not usable RAM)'}`);
      break;
    case 'gap':
      lines.push('Hole: no RAM or firmware entry (collapsed)');
      break;
    case 'cluster': {
      lines.push(`${info.count ?? 0} reservations too small to draw at this zoom (click to zoom in)`);
      const owners = info.owners ?? [];
      const shown = owners.slice(0, 4).map((o) => `${o.owner} ${humanSize(o.bytes)}`);
      if (owners.length > 4) shown.push(`${owners.length - 4} more owners`);
      lines.push(shown.join(' · '));
      break;
    }
  }
  lines.push(rangeText(info.base, info.size));
  lines.push(`${humanSize(info.size)} (${info.size.toLocaleString('en-US')} bytes)`);
  if (info.kind === 'reserved' || info.kind === 'free') {
    const nid = info.nid;
    const parts: string[] = [];
    if (nid !== undefined && nid !== null && nid >= 0 && nid < 1024) parts.push(`node ${nid}`);
    if (info.flags && info.flags !== 0n) parts.push(`flags ${hex(info.flags)}`);
    if (info.line) parts.push(`line ${info.line}`);
    if (parts.length) lines.push(parts.join(' · '));
  }
  return lines;
}
