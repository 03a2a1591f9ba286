// Findings and leaks of a boot (from BootView), filterable by node, owner, caller and size (findings
// also by severity and code). Picking an entry moves the playhead to its event.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { BootView, FindingView, LeakView } from '../src/protocol/messages';
import { big, hex, humanSize } from './format';
import { ownerVar } from './theme';
import { VirtualList } from './virtualList';
import { icon, span } from './dom';

type Item = FindingView | LeakView;

export interface ListCallbacks<T> {
  pick(item: T, how: 'click' | 'key' | 'enter'): void;
}

const SIZE_STEPS: [string, bigint][] = [
  ['any size', 0n],
  ['≥ 4 KiB', 4096n],
  ['≥ 64 KiB', 65536n],
  ['≥ 1 MiB', 1n << 20n],
  ['≥ 16 MiB', 16n << 20n],
  ['≥ 1 GiB', 1n << 30n],
];

interface Filters {
  nid: string;
  owner: string;
  caller: string;
  minSize: bigint;
  severity: string;
  code: string;
  disposition: string;
}

function select(label: string, options: [string, string][], onChange: (v: string) => void): HTMLElement {
  const wrap = document.createElement('label');
  wrap.className = 'filter';
  const text = document.createElement('span');
  text.className = 'filter-label';
  text.textContent = label;
  const sel = document.createElement('vscode-single-select');
  sel.setAttribute('aria-label', `Filter by ${label.toLowerCase()}`);
  for (const [value, name] of options) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', value);
    o.textContent = name;
    sel.append(o);
  }
  sel.addEventListener('change', () => onChange((sel as unknown as { value: string }).value));
  wrap.append(text, sel);
  return wrap;
}


export class FilteredList<T extends Item> {
  readonly element: HTMLElement;
  private readonly filterBar: HTMLElement;
  private readonly countLabel: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly list: VirtualList<T>;
  private all: T[] = [];
  private shown: T[] = [];
  private filters: Filters = { nid: '', owner: '', caller: '', minSize: 0n, severity: '', code: '', disposition: '' };

  constructor(
    private readonly kind: 'findings' | 'leaks',
    private readonly cb: ListCallbacks<T>,
  ) {
    this.element = document.createElement('div');
    this.element.className = `filtered-list ${kind}`;
    this.filterBar = document.createElement('div');
    this.filterBar.className = 'filters';
    this.filterBar.setAttribute('role', 'group');
    this.filterBar.setAttribute('aria-label', `Filter ${kind}`);
    this.countLabel = document.createElement('p');
    this.countLabel.className = 'list-count';
    this.countLabel.setAttribute('aria-live', 'polite');
    this.empty = document.createElement('p');
    this.empty.className = 'list-empty';
    this.list = new VirtualList<T>({
      rowHeight: kind === 'findings' ? 40 : 40,
      label: kind === 'findings' ? 'Findings' : 'Leaks',
      getRow: (i) => this.shown[i],
      renderRow: (el, item, i) => (kind === 'findings' ? renderFinding(el, item as FindingView | undefined, i) : renderLeak(el, item as LeakView | undefined, i)),
      onActivate: (i, how) => {
        const item = this.shown[i];
        if (item) this.cb.pick(item, how);
      },
    });
    this.list.element.classList.add('item-list');
    this.element.append(this.filterBar, this.countLabel, this.list.element, this.empty);
  }

  setItems(view: BootView, items: T[]): void {
    this.all = items;
    this.filters = { nid: '', owner: '', caller: '', minSize: 0n, severity: '', code: '', disposition: '' };
    this.buildFilters(view);
    this.apply();
  }

  /** Highlights the entry for an event (after next/previous finding or leak). */
  highlightEvent(eventIndex: number): void {
    const i = this.shown.findIndex((x) => x.eventIndex === eventIndex);
    if (i >= 0) this.list.setActive(i);
  }

  private buildFilters(view: BootView): void {
    const set = <K extends keyof Filters>(k: K) => (v: Filters[K]) => {
      this.filters[k] = v;
      this.apply();
    };
    const nodes: [string, string][] = [['', 'all nodes'], ...view.nodes.map((n) => [String(n.nid), `node ${n.nid}`] as [string, string])];
    const owners = new Set<string>();
    for (const x of this.all) if (x.owner) owners.add(x.owner);
    const ownerOpts: [string, string][] = [['', 'all owners'], ...[...owners].sort().map((o) => [o, o] as [string, string])];
    const parts: HTMLElement[] = [];
    if (this.kind === 'findings') {
      const codes = [...new Set((this.all as FindingView[]).map((f) => f.code))].sort();
      parts.push(
        select('Severity', [['', 'all'], ['error', 'errors'], ['warning', 'warnings'], ['info', 'info']], set('severity')),
        select('Code', [['', 'all codes'], ...codes.map((c) => [c, c] as [string, string])], set('code')),
      );
    } else {
      parts.push(select('Kind', [['', 'all'], ['suspect', 'suspect'], ['permanent', 'permanent'], ['released-later', 'released later'], ['unclassified', 'unclassified']], set('disposition')));
    }
    parts.push(
      select('Node', nodes, set('nid')),
      select('Owner', ownerOpts, set('owner')),
      select('Size', SIZE_STEPS.map(([label], i) => [String(i), label] as [string, string]), (v) => set('minSize')(SIZE_STEPS[Number(v)]?.[1] ?? 0n)),
    );
    const caller = document.createElement('label');
    caller.className = 'filter';
    const callerLabel = document.createElement('span');
    callerLabel.className = 'filter-label';
    callerLabel.textContent = 'Caller';
    const field = document.createElement('vscode-textfield');
    field.setAttribute('placeholder', 'e.g. sparse_init');
    field.setAttribute('aria-label', 'Filter by caller (substring)');
    field.addEventListener('input', () => set('caller')(((field as unknown as { value: string }).value ?? '').trim().toLowerCase()));
    caller.append(callerLabel, field);
    parts.push(caller);
    this.filterBar.replaceChildren(...parts);
  }

  private apply(): void {
    const f = this.filters;
    this.shown = this.all.filter((x) => {
      if (f.nid !== '' && String(x.nid ?? '') !== f.nid) return false;
      if (f.owner && x.owner !== f.owner) return false;
      if (f.caller && !(x.caller ?? '').toLowerCase().includes(f.caller)) return false;
      if (f.minSize > 0n && big(x.size) < f.minSize) return false;
      if (this.kind === 'findings') {
        const g = x as FindingView;
        if (f.severity && g.severity !== f.severity) return false;
        if (f.code && g.code !== f.code) return false;
      } else if (f.disposition && (x as LeakView).disposition !== f.disposition) return false;
      return true;
    });
    this.list.setCount(this.shown.length);
    this.list.setActive(-1, false);
    const word = this.kind === 'findings' ? 'finding' : 'leak';
    const n = this.shown.length;
    this.countLabel.textContent = n === this.all.length ? `${n} ${word}${n === 1 ? '' : 's'}` : `${n} of ${this.all.length} ${word}s match the filters`;
    this.empty.hidden = n > 0;
    this.empty.textContent = this.all.length === 0 ? (this.kind === 'findings' ? 'No findings in this boot.' : 'No reservations held at the hand-off look like leaks.') : 'Nothing matches the filters.';
    this.list.element.hidden = n === 0;
  }
}

const SEVERITY_ICON: Record<string, string> = { error: 'error', warning: 'warning', info: 'info' };

function renderFinding(el: HTMLElement, f: FindingView | undefined, i: number): void {
  el.dataset.index = String(i);
  if (!f) {
    el.replaceChildren();
    return;
  }
  el.className = `vrow item-row severity-${f.severity}`;
  el.dataset.line = String(f.line);
  if (f.eventIndex !== undefined) el.dataset.event = String(f.eventIndex);
  const head = document.createElement('div');
  head.className = 'item-head';
  head.append(icon(SEVERITY_ICON[f.severity] ?? 'info', f.severity), span('item-code', f.code), span('item-msg', f.message));
  const meta = document.createElement('div');
  meta.className = 'item-meta';
  const bits = [`line ${f.line}`];
  if (f.nid !== undefined) bits.push(`node ${f.nid}`);
  if (f.owner) bits.push(f.owner);
  if (f.size) bits.push(humanSize(big(f.size)));
  if (f.caller) bits.push(f.caller);
  meta.textContent = bits.join(' · ');
  el.replaceChildren(head, meta);
  el.setAttribute('aria-label', `${f.severity} ${f.code}: ${f.message}. ${bits.join(', ')}`);
  el.title = f.message;
}

function renderLeak(el: HTMLElement, l: LeakView | undefined, i: number): void {
  el.dataset.index = String(i);
  if (!l) {
    el.replaceChildren();
    return;
  }
  el.className = `vrow item-row leak-${l.disposition}`;
  el.dataset.line = String(l.line);
  el.dataset.event = String(l.eventIndex);
  el.style.setProperty('--row-owner', `var(${ownerVar(l.owner)})`);
  const head = document.createElement('div');
  head.className = 'item-head';
  head.append(
    icon(l.disposition === 'suspect' ? 'warning' : l.disposition === 'permanent' ? 'lock' : 'circle-outline', l.disposition),
    span('item-code', humanSize(big(l.heldBytes))),
    span('item-owner', l.owner),
    span('item-msg', l.caller ?? ''),
  );
  const meta = document.createElement('div');
  meta.className = 'item-meta';
  const bits = [`line ${l.line}`, `${hex(big(l.base))}`, l.disposition];
  if (l.nid !== undefined) bits.splice(1, 0, `node ${l.nid}`);
  meta.textContent = `${bits.join(' · ')} — ${l.why}`;
  el.replaceChildren(head, meta);
  el.setAttribute('aria-label', `${l.disposition} leak: ${humanSize(big(l.heldBytes))} held by ${l.owner}${l.caller ? ` (${l.caller})` : ''}, line ${l.line}. ${l.why}`);
  el.title = l.why;
}
