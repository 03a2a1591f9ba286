// The What-if tab: a form to replay the boot under another allocator / layout / command line, a
// summary of the outcome (failures, locality, free memory per node before and after) and a
// filterable virtualised list of the requests, with moved / failed / off-node ones marked by an icon
// and a word (never colour alone). Picking a request reveals its log line.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { WHATIF_MODELS, type WhatIfRequest, type WhatIfRowView, type WhatIfView } from '../src/protocol/messages';
import { big, hex, humanSize, plural } from './format';
import { icon, span } from './dom';
import { VirtualList } from './virtualList';

export interface WhatIfCallbacks {
  run(request: WhatIfRequest): void;
  reveal(line: number): void;
}

type Filter = '' | 'changed' | 'moved' | 'failed' | 'offnode' | 'same';

/** The row's verdict, most serious first: icon, word, class. */
function verdict(r: WhatIfRowView): { icon: string; word: string; cls: string } {
  if (r.failed) return { icon: 'error', word: 'FAILS', cls: 'failed' };
  if (r.localityViolation) return { icon: 'warning', word: 'off-node (locality violation)', cls: 'offnode' };
  if (r.offNode) return { icon: 'warning', word: r.fallback ? 'off-node (fallback)' : 'off-node', cls: 'offnode' };
  if (r.conflict) return { icon: 'warning', word: 'double allocation', cls: 'offnode' };
  if (r.moved) return { icon: 'arrow-swap', word: 'moved', cls: 'moved' };
  return { icon: 'check', word: 'same place', cls: 'same' };
}

function field(label: string, control: HTMLElement): HTMLElement {
  const wrap = document.createElement('label');
  wrap.className = 'filter';
  wrap.append(span('filter-label', label), control);
  return wrap;
}

function textField(id: string, placeholder: string, aria: string): HTMLElement {
  const f = document.createElement('vscode-textfield');
  f.id = id;
  f.setAttribute('placeholder', placeholder);
  f.setAttribute('aria-label', aria);
  return f;
}

function selectOf(id: string, aria: string, options: [string, string][]): HTMLElement {
  const sel = document.createElement('vscode-single-select');
  sel.id = id;
  sel.setAttribute('aria-label', aria);
  for (const [value, label] of options) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', value);
    o.textContent = label;
    sel.append(o);
  }
  return sel;
}

const valueOf = (e: HTMLElement) => ((e as unknown as { value?: string }).value ?? '').trim();

export class WhatIfPane {
  readonly element = document.createElement('div');
  private readonly model = selectOf('whatif-model', 'Allocator model', WHATIF_MODELS.map((m) => [m, m]));
  private readonly layout = textField('whatif-layout', "log's nodes, or 0:0-1G;1:1G-2G or even:2", 'NUMA layout');
  private readonly cmdline = textField('whatif-cmdline', 'e.g. crashkernel=256M cma=64M', 'Kernel command line changes');
  private readonly bottomUp = document.createElement('vscode-checkbox');
  private readonly error = document.createElement('p');
  private readonly summary = document.createElement('div');
  private readonly filterBar = document.createElement('div');
  private readonly count = document.createElement('p');
  private readonly list: VirtualList<WhatIfRowView>;
  private rows: WhatIfRowView[] = [];
  private shown: WhatIfRowView[] = [];
  private filter: { kind: Filter; text: string } = { kind: 'changed', text: '' };

  constructor(private readonly cb: WhatIfCallbacks) {
    this.element.className = 'whatif';
    this.element.id = 'whatif';
    this.list = new VirtualList<WhatIfRowView>({
      rowHeight: 40,
      label: 'What-if requests',
      getRow: (i) => this.shown[i],
      renderRow: (el, r, i) => renderRow(el, r, i),
      onActivate: (i, how) => {
        const r = this.shown[i];
        if (r && r.line > 0 && how !== 'key') this.cb.reveal(r.line);
      },
    });
    this.list.element.classList.add('item-list', 'whatif-list');
    this.element.append(this.form(), this.error, this.summary, this.filterBar, this.count, this.list.element);
    this.buildFilters();
    this.showEmpty();
  }

  private form(): HTMLElement {
    const form = document.createElement('form');
    form.className = 'filters whatif-form';
    form.setAttribute('aria-label', 'What-if replay');
    this.bottomUp.id = 'whatif-bottomup';
    this.bottomUp.setAttribute('label', 'bottom-up (memblock)');
    const run = document.createElement('vscode-button');
    run.id = 'whatif-run';
    run.setAttribute('icon', 'play');
    run.textContent = 'Replay';
    run.addEventListener('click', () => this.submit());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    form.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') {
        e.preventDefault();
        this.submit();
      }
    });
    this.error.className = 'whatif-error';
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    form.append(field('Allocator', this.model), field('Layout', this.layout), field('Command line', this.cmdline), this.bottomUp, run);
    return form;
  }

  private submit(): void {
    const model = valueOf(this.model) || 'memblock';
    const bottomUp = (this.bottomUp as unknown as { checked?: boolean }).checked === true;
    this.error.hidden = true;
    this.cb.run({ model: model as WhatIfRequest['model'], layout: valueOf(this.layout), cmdline: valueOf(this.cmdline), bottomUp });
  }

  showError(message: string): void {
    this.error.replaceChildren(icon('error'), span('', ` ${message}`));
    this.error.hidden = false;
  }

  show(request: WhatIfRequest, view: WhatIfView): void {
    this.error.hidden = true;
    (this.model as unknown as { value: string }).value = request.model;
    (this.layout as unknown as { value: string }).value = request.layout ?? '';
    (this.cmdline as unknown as { value: string }).value = request.cmdline ?? '';
    (this.bottomUp as unknown as { checked: boolean }).checked = !!request.bottomUp;
    this.rows = view.rows;
    this.renderSummary(view);
    this.element.dataset.requests = String(view.totals.requests);
    this.element.dataset.moved = String(view.totals.moved);
    this.element.dataset.failures = String(view.totals.failures);
    this.apply();
  }

  private showEmpty(): void {
    this.summary.replaceChildren(span('muted', 'Replay this boot\'s allocation requests under another allocator, NUMA layout or command line: pick them above and press Replay (or run "Boot Memory: What-if Replay…").'));
    this.list.element.hidden = true;
  }

  private renderSummary(v: WhatIfView): void {
    const t = v.totals;
    const head = document.createElement('h3');
    head.className = 'whatif-title';
    head.textContent = `Boot ${v.bootIndex} replayed under ${v.model}${v.bottomUp ? ' (bottom-up)' : ''} · layout ${v.layout || '(no RAM)'} ${v.layoutSource === 'log' ? '(the log\'s nodes)' : '(given)'}`;
    const stats = document.createElement('ul');
    stats.className = 'whatif-stats';
    const stat = (iconName: string, text: string, bad: boolean) => {
      const li = document.createElement('li');
      if (bad) li.className = 'bad';
      li.append(icon(iconName), span('', ` ${text}`));
      stats.append(li);
    };
    stat(t.failures ? 'error' : 'check', `${plural(t.failures, 'failure')}`, t.failures > 0);
    stat(t.localityViolations ? 'warning' : 'check', `${plural(t.localityViolations, 'locality violation')}`, t.localityViolations > 0);
    stat(t.offNode ? 'warning' : 'check', `${t.offNode} off-node (${plural(t.fallbacks, 'fallback')})`, t.offNode > 0);
    stat('arrow-swap', `${t.moved} of ${plural(t.requests, 'request')} moved`, false);
    stat(t.conflicts ? 'warning' : 'check', `${plural(t.conflicts, 'double allocation')}`, t.conflicts > 0);
    const parts: HTMLElement[] = [head, stats];
    for (const c of v.cmdline) parts.push(span('whatif-note', `${c.param}: ${c.effect}`));
    parts.push(this.nodeTable(v));
    for (const n of v.notes) parts.push(span('whatif-note', `note: ${n}`));
    if (v.omittedRows > 0) parts.push(span('whatif-note', `${v.omittedRows} unchanged requests are not listed.`));
    this.summary.replaceChildren(...parts);
  }

  private nodeTable(v: WhatIfView): HTMLElement {
    const table = document.createElement('table');
    table.className = 'whatif-nodes';
    const at = v.measuredAt === 'handoff' ? 'at the hand-off' : 'at the end of the log';
    const cap = document.createElement('caption');
    cap.textContent = `Free memory per node ${at}: logged boot vs what-if`;
    const head = document.createElement('tr');
    for (const c of ['Node', 'Logged: free', 'largest block', 'What-if: free', 'largest block', 'Largest block change']) head.append(Object.assign(document.createElement('th'), { textContent: c, scope: 'col' }));
    const body = document.createElement('tbody');
    for (const n of v.nodes) {
      const before = n.before ? big(n.before.largest) : undefined;
      const after = n.after ? big(n.after.largest) : undefined;
      const delta = before !== undefined && after !== undefined ? after - before : undefined;
      const cells = [
        `node ${n.nid}`,
        n.before ? humanSize(big(n.before.freeBytes)) : '—',
        before !== undefined ? humanSize(before) : '—',
        n.after ? humanSize(big(n.after.freeBytes)) : 'not in layout',
        after !== undefined ? humanSize(after) : '—',
        delta === undefined ? '' : delta === 0n ? 'same' : `${delta > 0n ? '+' : '−'}${humanSize(delta < 0n ? -delta : delta)}`,
      ];
      const tr = document.createElement('tr');
      cells.forEach((c, i) => tr.append(Object.assign(document.createElement(i === 0 ? 'th' : 'td'), { textContent: c, className: i === 0 ? '' : 'num' })));
      body.append(tr);
    }
    const thead = document.createElement('thead');
    thead.append(head);
    table.append(cap, thead, body);
    return table;
  }

  private buildFilters(): void {
    this.filterBar.className = 'filters';
    this.filterBar.setAttribute('role', 'group');
    this.filterBar.setAttribute('aria-label', 'Filter what-if requests');
    const kind = selectOf('whatif-filter', 'Show requests', [
      ['changed', 'moved, failed or off-node'],
      ['', 'all requests'],
      ['failed', 'failed'],
      ['offnode', 'off-node'],
      ['moved', 'moved'],
      ['same', 'same place'],
    ]);
    kind.addEventListener('change', () => {
      this.filter.kind = valueOf(kind) as Filter;
      this.apply();
    });
    const text = textField('whatif-text', 'e.g. sparse_init', 'Filter by request name (substring)');
    text.addEventListener('input', () => {
      this.filter.text = valueOf(text).toLowerCase();
      this.apply();
    });
    this.count.className = 'list-count';
    this.count.setAttribute('aria-live', 'polite');
    this.filterBar.append(field('Show', kind), field('Request', text));
  }

  private apply(): void {
    const { kind, text } = this.filter;
    this.shown = this.rows.filter((r) => {
      const v = verdict(r).cls;
      if (kind === 'changed' && v === 'same') return false;
      if (kind && kind !== 'changed' && v !== kind) return false;
      return !text || `${r.label} ${r.owner ?? ''}`.toLowerCase().includes(text);
    });
    this.list.setCount(this.shown.length);
    this.list.setActive(-1, false);
    this.list.element.hidden = this.shown.length === 0;
    const n = this.shown.length;
    this.count.textContent = n === this.rows.length ? plural(n, 'request') : `${n} of ${plural(this.rows.length, 'request')} shown`;
  }
}

function renderRow(el: HTMLElement, r: WhatIfRowView | undefined, i: number): void {
  el.dataset.index = String(i);
  if (!r) {
    el.replaceChildren();
    return;
  }
  const v = verdict(r);
  el.className = `vrow item-row whatif-row whatif-${v.cls}`;
  el.dataset.line = String(r.line);
  const where = r.failed ? 'fails' : `${r.predicted ? hex(big(r.predicted)) : '?'}${r.physicalNode === null ? '' : ` on node ${r.physicalNode}`}`;
  const from = r.original ? hex(big(r.original)) : 'not logged';
  const head = document.createElement('div');
  head.className = 'item-head';
  head.append(icon(v.icon), span('item-code whatif-verdict', v.word), span('item-code', humanSize(big(r.size))), span('item-msg', r.label));
  const meta = document.createElement('div');
  meta.className = 'item-meta';
  const bits = [r.source === 'cmdline' ? 'from the command line' : `line ${r.line}`, r.requestedNode === null ? 'any node' : `for node ${r.requestedNode}`, `logged ${from} → what-if ${where}`];
  if (r.owner) bits.push(r.owner);
  meta.textContent = bits.join(' · ');
  el.replaceChildren(head, meta);
  el.setAttribute('aria-label', `${v.word}: ${r.label}, ${humanSize(big(r.size))}. ${bits.join(', ')}`);
  el.title = `${v.word}: ${bits.join(' · ')}`;
}
