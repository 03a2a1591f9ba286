// The Compare tab: two boots (of this log, or this log and another), reservations held at the
// hand-off matched by owner and caller (appeared / disappeared / grew / shrank / same, with byte
// deltas, marked by icon and word), the totals, and the two accounting waterfalls side by side.
import type { CompareChange, CompareRowView, CompareView } from '../src/protocol/messages';
import { big, humanSize, plural } from './format';
import { icon, span } from './dom';
import { ownerVar } from './theme';

export interface CompareCallbacks {
  reveal(line: number): void;
}

const CHANGE_ICON: Record<CompareChange, string> = { appeared: 'diff-added', disappeared: 'diff-removed', grew: 'arrow-up', shrank: 'arrow-down', same: 'circle-small' };
/** At most this many reservation rows are rendered (the rest are counted). */
const MAX_ROWS = 2000;

/** "-0x10" and "0x10" as bigint. */
function signed(h: string | undefined): bigint {
  if (!h) return 0n;
  return h.startsWith('-') ? -big(h.slice(1)) : big(h);
}

function signedSize(v: bigint): string {
  return v === 0n ? '±0' : `${v > 0n ? '+' : '−'}${humanSize(v < 0n ? -v : v)}`;
}

function cell(tag: 'td' | 'th', text: string, className = ''): HTMLElement {
  const c = document.createElement(tag);
  c.textContent = text;
  if (className) c.className = className;
  if (tag === 'th') c.setAttribute('scope', 'col');
  return c;
}

export class ComparePane {
  readonly element = document.createElement('div');
  private view: CompareView | undefined;
  private showSame = false;
  /** Why the last comparison did not run (shown above the previous result, if any). */
  private error: string | undefined;

  constructor(private readonly cb: CompareCallbacks) {
    this.element.className = 'compare';
    this.element.id = 'compare';
    this.render();
  }

  show(view: CompareView): void {
    this.view = view;
    this.error = undefined;
    this.element.dataset.rows = String(view.rows.length);
    this.element.dataset.a = `${view.a.name}#${view.a.bootIndex}`;
    this.element.dataset.b = `${view.b.name}#${view.b.bootIndex}`;
    this.render();
  }

  showError(message: string): void {
    this.error = message;
    this.render();
  }

  private errorLine(): HTMLElement[] {
    if (this.error === undefined) return [];
    const p = document.createElement('p');
    p.className = 'whatif-error compare-error';
    p.setAttribute('role', 'alert');
    p.append(icon('error'), span('', ` ${this.error}`));
    return [p];
  }

  private render(): void {
    const v = this.view;
    if (!v) {
      this.element.replaceChildren(...this.errorLine(), span('muted', 'Compare this boot with another boot of the log or with another log: run "Boot Memory: Compare Boots…".'));
      return;
    }
    const side = (k: 'A' | 'B', b: CompareView['a']) =>
      span('compare-side', `${k}: ${b.name}, boot ${b.bootIndex}${b.kernelVersion ? ` (Linux ${b.kernelVersion})` : ''} — ${humanSize(big(b.heldBytes))} held at the hand-off in ${plural(b.reservations, 'reservation')}`);
    const title = document.createElement('h3');
    title.className = 'whatif-title';
    title.textContent = 'Reservations held at the hand-off, matched by owner and caller';
    this.element.replaceChildren(...this.errorLine(), side('A', v.a), side('B', v.b), this.totals(v), title, this.toggle(v), this.rowsTable(v), this.waterfall(v));
  }

  private totals(v: CompareView): HTMLElement {
    const ul = document.createElement('ul');
    ul.className = 'whatif-stats compare-totals';
    for (const k of ['appeared', 'disappeared', 'grew', 'shrank', 'same'] as CompareChange[]) {
      const t = v.totals[k];
      const li = document.createElement('li');
      li.append(icon(CHANGE_ICON[k]), span('', ` ${t.count} ${k}${k === 'same' ? '' : ` (${humanSize(big(t.bytes))})`}`));
      ul.append(li);
    }
    const net = document.createElement('li');
    net.append(span('', `net ${signedSize(signed(v.totals.netBytes))} held (B − A)`));
    ul.append(net);
    return ul;
  }

  private toggle(v: CompareView): HTMLElement {
    const label = document.createElement('label');
    label.className = 'compare-toggle';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'compare-show-same';
    box.checked = this.showSame;
    box.addEventListener('change', () => {
      this.showSame = box.checked;
      this.render();
    });
    label.append(box, ` also list the ${plural(v.totals.same.count, 'unchanged group')}`);
    return label;
  }

  private rowsTable(v: CompareView): HTMLElement {
    const rows = v.rows.filter((r) => this.showSame || r.change !== 'same');
    const wrap = document.createElement('div');
    wrap.className = 'compare-rows';
    const table = document.createElement('table');
    table.className = 'compare-table';
    const head = document.createElement('tr');
    for (const c of ['Change', 'Owner', 'Caller', 'A', 'B', 'Δ bytes']) head.append(cell('th', c));
    const thead = document.createElement('thead');
    thead.append(head);
    const body = document.createElement('tbody');
    for (const r of rows.slice(0, MAX_ROWS)) body.append(this.row(v, r));
    table.append(thead, body);
    wrap.append(table);
    if (rows.length > MAX_ROWS) wrap.append(span('muted', `${rows.length - MAX_ROWS} more groups not shown.`));
    if (rows.length === 0) wrap.append(span('muted', 'No reservation group changed.'));
    return wrap;
  }

  private row(v: CompareView, r: CompareRowView): HTMLElement {
    const tr = document.createElement('tr');
    tr.className = `compare-${r.change}`;
    const change = document.createElement('td');
    change.append(icon(CHANGE_ICON[r.change]), span('', ` ${r.change}`));
    const owner = cell('td', r.owner, 'compare-owner');
    owner.style.setProperty('--swatch', `var(${ownerVar(r.owner)})`);
    const sideText = (s: CompareRowView['a']) => (s.count ? `${humanSize(big(s.bytes))} (${s.count})` : '—');
    tr.append(change, owner, cell('td', r.caller), cell('td', sideText(r.a), 'num'), cell('td', sideText(r.b), 'num'), cell('td', signedSize(signed(r.delta)), 'num'));
    // Lines are clickable when they belong to this panel's log.
    const line = v.sameLog || v.local === 'a' ? r.a.lines[0] : v.local === 'b' ? r.b.lines[0] : undefined;
    const fallback = v.sameLog ? r.b.lines[0] : undefined;
    const target = line ?? fallback;
    if (target) {
      tr.tabIndex = 0;
      tr.dataset.line = String(target);
      tr.title = `Show line ${target} in the log`;
      tr.addEventListener('click', () => this.cb.reveal(target));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.cb.reveal(target);
      });
    }
    return tr;
  }

  private waterfall(v: CompareView): HTMLElement {
    const box = document.createElement('div');
    box.className = 'compare-waterfall';
    const title = document.createElement('h3');
    title.className = 'whatif-title';
    title.textContent = 'Accounting waterfalls, A beside B';
    const table = document.createElement('table');
    table.className = 'waterfall compare-waterfall-table';
    const max = v.waterfall.reduce((m, w) => [big(w.a), big(w.b)].reduce((x, y) => (y > x ? y : x), m), 1n);
    const head = document.createElement('tr');
    // Column order: label, bar A, size A, bar B, size B, change; the names sit over the sizes.
    for (const c of ['', '', 'A', '', 'B', 'Change']) head.append(cell('th', c));
    const thead = document.createElement('thead');
    thead.append(head);
    const body = document.createElement('tbody');
    const bar = (h?: string) => {
      const td = document.createElement('td');
      td.className = 'bar-cell';
      if (h) {
        const b = document.createElement('span');
        b.className = 'bar';
        b.style.width = `${Math.max(0.5, Number((big(h) * 10000n) / max) / 100)}%`;
        td.append(b);
      }
      return td;
    };
    for (const w of v.waterfall) {
      const tr = document.createElement('tr');
      const label = cell('th', w.label);
      label.setAttribute('scope', 'row');
      tr.append(label, bar(w.a), cell('td', w.a ? humanSize(big(w.a)) : '—', 'num'), bar(w.b), cell('td', w.b ? humanSize(big(w.b)) : '—', 'num'), cell('td', w.delta === undefined ? '' : signedSize(signed(w.delta)), 'num'));
      body.append(tr);
    }
    table.append(thead, body);
    box.append(title, table);
    return box;
  }
}
