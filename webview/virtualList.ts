// A virtualised list: only the rows in view (plus a small margin) exist in the DOM, so a timeline with
// a million events costs the same as one with ten. Rows have a fixed height. The scroll height is
// capped (browsers stop at ~16-33 million px); past the cap, scroll positions are scaled.
//
// Accessibility: role=listbox with role=option rows, roving tabindex (the active row is the only
// tabbable one), aria-setsize/aria-posinset so screen readers know the real size.

export interface VirtualListOptions<T> {
  rowHeight: number;
  label: string;
  /** The row at an index, or undefined while its page is loading. */
  getRow(index: number): T | undefined;
  /** Fills a row element (reuse it: set textContent and attributes, never innerHTML). */
  renderRow(el: HTMLElement, item: T | undefined, index: number): void;
  /** Rows [start, end) became visible (fetch what is missing). */
  onVisible?(start: number, end: number): void;
  /** A row was activated (click, Enter) or moved to with the keyboard. */
  onActivate(index: number, how: 'click' | 'key' | 'enter'): void;
}

const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 6;

export class VirtualList<T> {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsHost: HTMLElement;
  private count = 0;
  private active = -1;
  private rows = new Map<number, HTMLElement>();
  private frame = 0;
  private focusPending = false;

  constructor(private readonly opts: VirtualListOptions<T>) {
    const el = document.createElement('div');
    el.className = 'vlist';
    el.setAttribute('role', 'listbox');
    el.setAttribute('aria-label', opts.label);
    el.tabIndex = -1;
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.rowsHost = document.createElement('div');
    this.rowsHost.className = 'vlist-rows';
    el.append(this.spacer, this.rowsHost);
    this.element = el;
    el.addEventListener('scroll', () => this.schedule());
    el.addEventListener('keydown', (e) => this.onKey(e));
    el.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.vrow');
      if (!row || row.dataset.index === undefined) return;
      const i = Number(row.dataset.index);
      this.setActive(i, false);
      this.opts.onActivate(i, 'click');
    });
    // When focus enters the list (Tab), put it on the active row.
    el.addEventListener('focus', () => this.focusActive());
    new ResizeObserver(() => this.schedule()).observe(el);
  }

  get size(): number {
    return this.count;
  }

  get activeIndex(): number {
    return this.active;
  }

  setCount(count: number): void {
    this.count = Math.max(0, count);
    this.spacer.style.height = `${this.scrollHeight()}px`;
    if (this.active >= this.count) this.active = this.count - 1;
    this.refresh();
  }

  /** Re-render visible rows (new data arrived). */
  refresh(): void {
    for (const [, row] of this.rows) row.remove();
    this.rows.clear();
    this.schedule();
  }

  /** Sets the highlighted row; `scroll` brings it into view. Does not move DOM focus unless the list has it. */
  setActive(index: number, scroll = true): void {
    const had = this.element.contains(document.activeElement);
    this.active = index;
    if (scroll && index >= 0) this.scrollToIndex(index);
    this.updateActiveRows();
    this.schedule();
    if (had) this.focusPending = true;
  }

  private rowH(): number {
    return this.opts.rowHeight;
  }

  private scrollHeight(): number {
    return Math.min(this.count * this.rowH(), MAX_SCROLL_PX);
  }

  /** Scale between the real content height and the capped scroll height. */
  private firstVisible(): number {
    const el = this.element;
    const real = this.count * this.rowH();
    if (real <= MAX_SCROLL_PX) return el.scrollTop / this.rowH();
    const maxScroll = Math.max(1, MAX_SCROLL_PX - el.clientHeight);
    const maxFirst = Math.max(0, this.count - el.clientHeight / this.rowH());
    return (el.scrollTop / maxScroll) * maxFirst;
  }

  private scrollTopFor(first: number): number {
    const el = this.element;
    const real = this.count * this.rowH();
    if (real <= MAX_SCROLL_PX) return first * this.rowH();
    const maxScroll = Math.max(1, MAX_SCROLL_PX - el.clientHeight);
    const maxFirst = Math.max(1, this.count - el.clientHeight / this.rowH());
    return (first / maxFirst) * maxScroll;
  }

  scrollToIndex(index: number): void {
    const el = this.element;
    const visible = el.clientHeight / this.rowH();
    const first = this.firstVisible();
    if (index >= first + 0.5 && index <= first + visible - 1.5) return;
    const target = Math.max(0, index - Math.floor(visible / 2));
    el.scrollTop = this.scrollTopFor(target);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const el = this.element;
    const h = this.rowH();
    const first = this.firstVisible();
    const visible = Math.ceil(el.clientHeight / h) + 1;
    const start = Math.max(0, Math.floor(first) - OVERSCAN);
    const end = Math.min(this.count, Math.floor(first) + visible + OVERSCAN);
    // Rows are positioned relative to the scroll position so the scaled mode works too (unscaled,
    // this is simply i * h).
    const top = el.scrollTop;
    for (const [i, row] of this.rows) {
      if (i < start || i >= end) {
        row.remove();
        this.rows.delete(i);
      }
    }
    for (let i = start; i < end; i++) {
      let row = this.rows.get(i);
      if (!row) {
        row = document.createElement('div');
        row.className = 'vrow';
        row.setAttribute('role', 'option');
        row.dataset.index = String(i);
        this.rows.set(i, row);
        this.rowsHost.append(row);
        this.opts.renderRow(row, this.opts.getRow(i), i);
      }
      row.style.transform = `translateY(${top + (i - first) * h}px)`;
      row.setAttribute('aria-setsize', String(this.count));
      row.setAttribute('aria-posinset', String(i + 1));
    }
    this.updateActiveRows();
    this.opts.onVisible?.(Math.floor(first), Math.min(this.count, Math.floor(first) + visible));
    if (this.focusPending) {
      this.focusPending = false;
      this.focusActive();
    }
  }

  private updateActiveRows(): void {
    for (const [i, row] of this.rows) {
      const on = i === this.active;
      row.classList.toggle('active', on);
      row.setAttribute('aria-selected', on ? 'true' : 'false');
      row.tabIndex = on ? 0 : -1;
    }
    // Keep the list itself tabbable when the active row is not rendered.
    this.element.tabIndex = this.rows.has(this.active) ? -1 : 0;
  }

  private focusActive(): void {
    const row = this.rows.get(this.active) ?? this.rows.values().next().value;
    if (row && document.activeElement !== row) row.focus({ preventScroll: true });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor(this.element.clientHeight / this.rowH()) - 1);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = this.active + 1;
        break;
      case 'ArrowUp':
        next = this.active - 1;
        break;
      case 'PageDown':
        next = this.active + page;
        break;
      case 'PageUp':
        next = this.active - page;
        break;
      case 'Enter':
        if (this.active >= 0) this.opts.onActivate(this.active, 'enter');
        e.preventDefault();
        e.stopPropagation();
        return;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (this.count === 0) return;
    next = Math.max(0, Math.min(this.count - 1, next));
    this.setActive(next);
    this.focusPending = true;
    this.opts.onActivate(next, 'key');
  }

  /** Re-renders the row at index if it is in the DOM (its data arrived). */
  updateRow(index: number): void {
    const row = this.rows.get(index);
    if (row) this.opts.renderRow(row, this.opts.getRow(index), index);
  }

  updateRange(start: number, end: number): void {
    for (const [i, row] of this.rows) if (i >= start && i < end) this.opts.renderRow(row, this.opts.getRow(i), i);
  }
}
