// The Memory Map webview app (bundled to dist/webview.js as an IIFE; no framework).
// It renders host messages with textContent only: log text is never interpreted as HTML.
//
//   header   document, banner, toolbar (playhead, seek by kind, findings, leaks, zoom, export), status
//   map      node/block map at the playhead (map.ts) + legend + accounting waterfall
//   timeline overview strip + virtualised event list (timeline.ts), paged from the host
//   details  findings / leaks, filterable (lists.ts)
//
// The playhead lives here; the host answers `selectEvent` with the state at that event. The view
// (document, boot, playhead, zoom, tab) is persisted with setState so a reload restores it, with the
// inputs of the last what-if and what the last comparison compared (never their results): after a
// reload the host runs them again and sends them back marked `restored`.
import './style.css';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import {
  PROTOCOL_VERSION,
  parseHostMessage,
  parsePersistedState,
  type BootSummary,
  type CompareSource,
  type BootView,
  type DocumentInfo,
  type FindingView,
  type HostToWebview,
  type LeakView,
  type PanelAction,
  type PersistedState,
  type PersistedWhatIf,
  type SeekTarget,
  type StateMessage,
  type WebviewToHost,
} from '../src/protocol/messages';
import { big, humanSize, plural } from './format';
import { FilteredList } from './lists';
import { MemoryMap, describe } from './map';
import { KNOWN_OWNERS, ownerVar } from './theme';
import { PAGE_SIZE, Timeline } from './timeline';
import { WhatIfPane } from './whatif';
import { ComparePane } from './compare';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

// ------------------------------------------------------------------------------------------------
// DOM helpers (textContent only)

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function toolButton(id: string, icon: string, label: string, keys: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-toolbar-button');
  b.id = id;
  b.setAttribute('icon', icon);
  b.setAttribute('label', label);
  b.title = keys ? `${label} (${keys})` : label;
  b.addEventListener('click', onClick);
  return b;
}

function sep(): HTMLElement {
  return h('span', { class: 'toolbar-sep', 'aria-hidden': 'true' });
}

// ------------------------------------------------------------------------------------------------
// Layout

const app = document.getElementById('app') ?? document.body;
const ui = {
  docName: h('span', { id: 'doc-name', class: 'doc-name' }),
  meta: h('p', { id: 'doc-meta', class: 'meta' }),
  banner: h('p', { class: 'banner' }),
  status: h('p', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', text: 'Loading…' }),
  position: h('span', { id: 'position', class: 'position', 'aria-hidden': 'true' }),
  toolbar: h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Playhead and map controls' }),
  bootSelect: h('span', { class: 'boot-select' }),
  seekKind: document.createElement('vscode-single-select'),
  mapHost: h('div', { id: 'map-canvas' }),
  mapLive: h('p', { class: 'sr-only', 'aria-live': 'polite' }),
  legend: h('ul', { id: 'legend', class: 'legend', 'aria-label': 'Legend' }),
  accounting: h('div', { id: 'accounting', class: 'accounting' }),
  timelineHost: h('div', { id: 'timeline-body', class: 'timeline-body' }),
  tabs: document.createElement('vscode-tabs'),
  findingsBadge: document.createElement('vscode-badge'),
  leaksBadge: document.createElement('vscode-badge'),
  help: h('div', { id: 'help', class: 'help', hidden: '' }),
};

const header = h(
  'header',
  { class: 'header' },
  h('h1', { id: 'title' }, h('span', { class: 'label', text: 'Memory Map' }), ' ', ui.docName),
  ui.meta,
  ui.banner,
  ui.toolbar,
  h('div', { class: 'status-line' }, ui.position, ui.status),
);

const mapPane = h(
  'section',
  { id: 'map', class: 'pane map-pane', 'aria-labelledby': 'map-heading' },
  h('div', { class: 'pane-head' }, h('h2', { id: 'map-heading', text: 'NUMA nodes and blocks' }), h('span', { class: 'pane-tools', id: 'map-tools' })),
  ui.mapHost,
  ui.mapLive,
  ui.legend,
);

const timelinePane = h(
  'section',
  { id: 'timeline', class: 'pane timeline-pane', 'aria-labelledby': 'timeline-heading' },
  h('div', { class: 'pane-head' }, h('h2', { id: 'timeline-heading', text: 'Timeline' })),
  ui.timelineHost,
);

const detailsPane = h(
  'section',
  { id: 'details', class: 'pane details-pane', 'aria-label': 'Accounting, findings, leaks, what-if and compare' },
  h('h2', { id: 'accounting-heading', text: 'Where the memory went' }),
  ui.accounting,
  ui.tabs,
);

app.replaceChildren(header, ui.help, h('main', { class: 'layout' }, mapPane, timelinePane, detailsPane));

// ------------------------------------------------------------------------------------------------
// State

interface View {
  doc?: DocumentInfo;
  boot?: BootView;
  bootCount: number;
  playhead: number;
  state?: StateMessage;
  tab: Tab;
  /** The inputs of the what-if shown, and what the comparison shown compared (persisted). */
  whatIf?: PersistedWhatIf;
  compare?: CompareSource;
}

type Tab = 'findings' | 'leaks' | 'whatif' | 'compare';
const TABS: Tab[] = ['findings', 'leaks', 'whatif', 'compare'];

// The stored state is checked like any message (an older version of the view may have written it).
const saved = parsePersistedState(vscode.getState());
const view: View = {
  bootCount: 1,
  playhead: -1,
  tab: TABS.find((t) => t === saved?.tab) ?? 'findings',
  whatIf: saved?.whatIf,
  compare: saved?.compare,
};
/** The zoom to restore once the boot it belongs to arrives. */
let restoreZoom = saved?.zoom && saved.bootIndex !== undefined ? { boot: saved.bootIndex, zoom: saved.zoom } : undefined;

let persistTimer = 0;
function persist(): void {
  if (persistTimer) return;
  persistTimer = window.setTimeout(() => {
    persistTimer = 0;
    if (!view.doc) return;
    vscode.setState({
      documentUri: view.doc.uri,
      bootIndex: view.boot?.boot.index,
      eventIndex: view.boot ? view.playhead : undefined,
      zoom: map.window,
      tab: view.tab,
      whatIf: view.whatIf,
      compare: view.compare,
    });
  }, 150);
}

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', kind === 'error');
}

// ------------------------------------------------------------------------------------------------
// Components

const map = new MemoryMap(ui.mapHost, {
  select: (hit) => {
    if (hit.line) post({ type: 'revealLine', line: hit.line });
    ui.mapLive.textContent = describe(hit).join(', ');
  },
  zoomed: () => persist(),
  announce: (text) => {
    ui.mapLive.textContent = text;
  },
});

const timeline = new Timeline(ui.timelineHost, {
  requestPage: (start, count) => {
    if (view.boot) post({ type: 'requestPage', bootIndex: view.boot.boot.index, start, count });
  },
  select: (index, how) => seek(index, how !== 'key' || true),
});

const findingsList = new FilteredList<FindingView>('findings', {
  pick: (f) => {
    if (f.eventIndex !== undefined) seek(f.eventIndex, true);
    else post({ type: 'revealLine', line: f.line });
  },
});
const leaksList = new FilteredList<LeakView>('leaks', { pick: (l) => seek(l.eventIndex, true) });
const whatIfPane = new WhatIfPane({
  run: (request) => {
    if (!view.boot) return;
    post({ type: 'runWhatIf', bootIndex: view.boot.boot.index, ...request });
    setStatus(`Replaying boot ${view.boot.boot.index} under ${request.model}…`);
  },
  reveal: (line) => post({ type: 'revealLine', line }),
});
const comparePane = new ComparePane({ reveal: (line) => post({ type: 'revealLine', line }) });

function tabHeader(id: string, text: string, badge?: HTMLElement): HTMLElement {
  const th = document.createElement('vscode-tab-header');
  th.setAttribute('slot', 'header');
  th.id = id;
  th.append(text);
  if (badge) {
    badge.setAttribute('variant', 'counter');
    badge.setAttribute('slot', 'content-after');
    th.append(' ', badge);
  }
  return th;
}

function tabPanel(content: HTMLElement): HTMLElement {
  const tp = document.createElement('vscode-tab-panel');
  tp.append(content);
  return tp;
}

function buildTabs(): void {
  const tabs = ui.tabs;
  tabs.setAttribute('aria-label', 'Findings, leaks, what-if replay and comparison');
  tabs.append(
    tabHeader('tab-findings', 'Findings', ui.findingsBadge),
    tabPanel(findingsList.element),
    tabHeader('tab-leaks', 'Leaks', ui.leaksBadge),
    tabPanel(leaksList.element),
    tabHeader('tab-whatif', 'What-if'),
    tabPanel(whatIfPane.element),
    tabHeader('tab-compare', 'Compare'),
    tabPanel(comparePane.element),
  );
  tabs.addEventListener('vsc-tabs-select', (e) => {
    const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    view.tab = TABS[i] ?? 'findings';
    persist();
  });
  (tabs as unknown as { selectedIndex: number }).selectedIndex = TABS.indexOf(view.tab);
}
buildTabs();

function buildToolbar(): void {
  const seekSel = ui.seekKind;
  seekSel.id = 'seek-kind';
  seekSel.setAttribute('aria-label', 'Event kind for previous/next');
  for (const [v, label] of [['reserve', 'reserve'], ['alloc', 'alloc'], ['free', 'free'], ['free-late', 'free late'], ['add', 'add'], ['remove', 'remove'], ['checkpoint', 'dump'], ['flagged', 'flagged']]) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', v);
    o.textContent = label;
    seekSel.append(o);
  }
  const seekKind = () => ((seekSel as unknown as { value: string }).value || 'reserve') as SeekTarget;
  ui.toolbar.append(
    ui.bootSelect,
    toolButton('btn-start', 'debug-restart', 'First event', 'Home', () => act('start')),
    toolButton('btn-back', 'debug-step-back', 'Step back', '← or k', () => act('stepBack')),
    toolButton('btn-forward', 'debug-step-over', 'Step forward', '→ or j', () => act('stepForward')),
    toolButton('btn-end', 'debug-continue', 'Last event (hand-off)', 'End', () => act('end')),
    sep(),
    h('span', { class: 'toolbar-label', text: 'Kind' }),
    seekSel,
    toolButton('btn-prev-kind', 'arrow-left', 'Previous event of this kind', 'Shift+R/A/F', () => seekKindFrom(seekKind(), -1)),
    toolButton('btn-next-kind', 'arrow-right', 'Next event of this kind', 'R/A/F', () => seekKindFrom(seekKind(), 1)),
    sep(),
    toolButton('btn-prev-finding', 'chevron-up', 'Previous finding', 'p', () => act('previousFinding')),
    toolButton('btn-next-finding', 'chevron-down', 'Next finding', 'n', () => act('nextFinding')),
    toolButton('btn-next-leak', 'warning', 'Next leak', 'l', () => act('nextLeak')),
    sep(),
    toolButton('btn-export-svg', 'file-media', 'Export map as SVG', '', () => act('exportSvg')),
    toolButton('btn-export-png', 'device-camera', 'Export map as PNG', '', () => act('exportPng')),
    toolButton('btn-help', 'keyboard', 'Keyboard shortcuts', '?', () => toggleHelp()),
  );
  const tools = document.getElementById('map-tools');
  tools?.append(
    toolButton('btn-zoom-out', 'zoom-out', 'Zoom out', '-', () => map.zoom(0.5)),
    toolButton('btn-zoom-in', 'zoom-in', 'Zoom in', '+', () => map.zoom(2)),
    toolButton('btn-zoom-reset', 'screen-normal', 'Whole address space', '0', () => map.reset()),
  );
}
buildToolbar();

function buildHelp(): void {
  const rows: [string, string][] = [
    ['→ / j, ← / k', 'step forward / back (Shift: 10 events)'],
    ['Home / End', 'first event / last event (hand-off)'],
    ['n / p', 'next / previous finding'],
    ['l / Shift+L', 'next / previous leak'],
    ['r, a, f (Shift: back)', 'next reserve, alloc, free'],
    ['+ / − / 0', 'zoom the map in / out / whole address space'],
    ['Shift+← / →', 'pan the map (when it has focus)'],
    ['[ / ], ↑ / ↓', 'walk regions / nodes of the map (when it has focus)'],
    ['Enter / Space', 'zoom to the region / show its line'],
    ['F10 / Shift+F10, F8 / Shift+F8', 'the same as VS Code commands (also from the palette)'],
  ];
  const dl = h('dl');
  for (const [k, v] of rows) dl.append(h('dt', { text: k }), h('dd', { text: v }));
  ui.help.append(h('h2', { text: 'Keyboard' }), dl);
}
buildHelp();

function toggleHelp(): void {
  ui.help.hidden = !ui.help.hidden;
}

// ------------------------------------------------------------------------------------------------
// Playhead

/** The state request in flight and the newest one waiting behind it (holding → coalesces). */
let inFlight: number | undefined;
let inFlightTimer = 0;
let pending: { index: number; reveal: boolean } | undefined;

function seek(index: number, reveal = true): void {
  const boot = view.boot;
  if (!boot) return;
  const n = boot.boot.eventCount;
  if (n === 0) return;
  const i = Math.max(0, Math.min(n - 1, index));
  view.playhead = i;
  timeline.setPlayhead(i);
  updatePosition();
  persist();
  pending = { index: i, reveal };
  pump();
}

function pump(): void {
  if (inFlight !== undefined || !pending || !view.boot) return;
  const { index, reveal } = pending;
  pending = undefined;
  inFlight = index;
  post({ type: 'selectEvent', bootIndex: view.boot.boot.index, eventIndex: index, reveal });
  window.clearTimeout(inFlightTimer);
  inFlightTimer = window.setTimeout(() => {
    inFlight = undefined;
    pump();
  }, 3000);
}

function step(delta: number): void {
  seek(view.playhead + delta);
}

function seekKindFrom(target: SeekTarget, direction: 1 | -1): void {
  if (!view.boot) return;
  post({ type: 'seek', bootIndex: view.boot.boot.index, from: view.playhead, direction, target });
}

function sortedByEvent<T extends { eventIndex?: number }>(items: T[]): (T & { eventIndex: number })[] {
  return items.filter((x): x is T & { eventIndex: number } => x.eventIndex !== undefined).sort((a, b) => a.eventIndex - b.eventIndex);
}

function nextOf<T extends { eventIndex?: number }>(items: T[], direction: 1 | -1, what: string): T | undefined {
  const list = sortedByEvent(items);
  const hit = direction === 1 ? list.find((x) => x.eventIndex > view.playhead) : [...list].reverse().find((x) => x.eventIndex < view.playhead);
  if (!hit) {
    setStatus(list.length === 0 ? `This boot has no ${what}s.` : `No ${direction === 1 ? 'later' : 'earlier'} ${what}.`);
    return undefined;
  }
  seek(hit.eventIndex, true);
  return hit;
}

function selectTab(tab: Tab): void {
  view.tab = tab;
  (ui.tabs as unknown as { selectedIndex: number }).selectedIndex = TABS.indexOf(tab);
  persist();
}

function act(action: PanelAction): void {
  const boot = view.boot;
  if (!boot && action !== 'showLeaks') return;
  switch (action) {
    case 'stepForward':
      step(1);
      break;
    case 'stepBack':
      step(-1);
      break;
    case 'start':
      seek(0);
      break;
    case 'end':
      seek(Number.MAX_SAFE_INTEGER);
      break;
    case 'nextFinding':
    case 'previousFinding': {
      const f = nextOf(boot?.findings ?? [], action === 'nextFinding' ? 1 : -1, 'finding');
      if (f?.eventIndex !== undefined) {
        selectTab('findings');
        findingsList.highlightEvent(f.eventIndex);
      }
      break;
    }
    case 'nextLeak': {
      const l = nextOf(boot?.leaks ?? [], 1, 'leak');
      if (l) {
        selectTab('leaks');
        leaksList.highlightEvent(l.eventIndex);
      }
      break;
    }
    case 'nextReserve':
      seekKindFrom('reserve', 1);
      break;
    case 'nextAlloc':
      seekKindFrom('alloc', 1);
      break;
    case 'nextFree':
      seekKindFrom('free', 1);
      break;
    case 'showLeaks':
      selectTab('leaks');
      break;
    case 'exportSvg':
      post({ type: 'export', format: 'svg', data: map.toSvg(exportTitle()) });
      setStatus('Exporting the map as SVG…');
      break;
    case 'exportPng': {
      const data = map.toPng();
      if (data.startsWith('data:image/png;base64,')) {
        post({ type: 'export', format: 'png', data });
        setStatus('Exporting the map as PNG…');
      }
      break;
    }
  }
}

function exportTitle(): string {
  const b = view.boot?.boot;
  return `Memory map of ${view.doc?.name ?? 'boot log'}${b ? `, boot ${b.index}${b.kernelVersion ? ` (${b.kernelVersion})` : ''}` : ''}${view.state ? `, ${view.state.announcement}` : ''}`;
}

function updatePosition(): void {
  const n = view.boot?.boot.eventCount ?? 0;
  ui.position.textContent = n ? `${(view.playhead + 1).toLocaleString('en-US')} / ${n.toLocaleString('en-US')}` : '';
}

// ------------------------------------------------------------------------------------------------
// Keyboard (inside the webview). Handled keys stop here, so VS Code does not also act on them.

function inTextControl(e: KeyboardEvent): boolean {
  for (const t of e.composedPath()) {
    if (!(t instanceof HTMLElement)) continue;
    const tag = t.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || tag === 'VSCODE-TEXTFIELD' || tag === 'VSCODE-SINGLE-SELECT' || t.isContentEditable) return true;
  }
  return false;
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || inTextControl(e)) return;
  let handled = true;
  switch (e.key) {
    case 'ArrowRight':
    case 'j':
    case 'J':
      step(e.shiftKey ? 10 : 1);
      break;
    case 'ArrowLeft':
    case 'k':
    case 'K':
      step(e.shiftKey ? -10 : -1);
      break;
    case 'Home':
      act('start');
      break;
    case 'End':
      act('end');
      break;
    case 'n':
      act('nextFinding');
      break;
    case 'p':
      act('previousFinding');
      break;
    case 'l':
      act('nextLeak');
      break;
    case 'L':
      if (view.boot) {
        const l = nextOf(view.boot.leaks, -1, 'leak');
        if (l) leaksList.highlightEvent(l.eventIndex);
      }
      break;
    case 'r':
    case 'R':
      seekKindFrom('reserve', e.key === 'R' ? -1 : 1);
      break;
    case 'a':
    case 'A':
      seekKindFrom('alloc', e.key === 'A' ? -1 : 1);
      break;
    case 'f':
    case 'F':
      seekKindFrom('free', e.key === 'F' ? -1 : 1);
      break;
    case '+':
    case '=':
      map.zoom(2);
      break;
    case '-':
      map.zoom(0.5);
      break;
    case '0':
      map.reset();
      break;
    case '?':
      toggleHelp();
      break;
    case 'Escape':
      if (!ui.help.hidden) ui.help.hidden = true;
      else handled = false;
      break;
    default:
      handled = false;
  }
  if (handled) {
    e.preventDefault();
    e.stopPropagation();
  }
});

// ------------------------------------------------------------------------------------------------
// Rendering host messages

function renderDocument(doc: DocumentInfo): void {
  ui.docName.textContent = doc.name;
  ui.docName.title = doc.uri;
  document.title = `Memory Map: ${doc.name}`;
  const lines = `${doc.lineCount.toLocaleString('en-US')} lines`;
  ui.meta.textContent = doc.languageId ? `${lines} · language: ${doc.languageId}` : lines;
  ui.banner.textContent = doc.banner ?? '';
  ui.banner.hidden = !doc.banner;
}

function renderBoot(boot: BootView): void {
  const previous = view.boot?.boot.index;
  view.boot = boot;
  view.state = undefined;
  inFlight = undefined;
  pending = undefined;
  const b = boot.boot;
  const bits = [`${plural(b.eventCount, 'event')}`, `${plural(boot.nodes.length, 'node')}`];
  if (b.kernelVersion) bits.unshift(`Linux ${b.kernelVersion}`);
  if (b.arch) bits.push(b.arch);
  const lines = view.doc ? `${view.doc.lineCount.toLocaleString('en-US')} lines` : '';
  ui.meta.textContent = [lines, `boot ${b.index} (lines ${b.startLine}–${b.endLine})`, ...bits].filter(Boolean).join(' · ');
  let zoom = undefined;
  if (restoreZoom && restoreZoom.boot === b.index) zoom = restoreZoom.zoom;
  else if (previous === b.index) zoom = map.window;
  restoreZoom = undefined;
  map.setBoot(boot, zoom);
  timeline.setBoot(boot);
  findingsList.setItems(boot, boot.findings);
  leaksList.setItems(boot, boot.leaks);
  ui.findingsBadge.textContent = String(boot.findings.length);
  ui.leaksBadge.textContent = String(boot.leaks.filter((l) => l.disposition === 'suspect').length);
  renderLegend(boot);
  renderAccounting(boot);
  app.dataset.nodes = String(boot.nodes.length);
  app.dataset.events = String(b.eventCount);
}

function swatch(className: string, owner?: string): HTMLElement {
  const s = h('span', { class: `swatch ${className}`, 'aria-hidden': 'true' });
  if (owner) s.style.setProperty('--swatch', `var(${ownerVar(owner)})`);
  return s;
}

function renderLegend(boot: BootView): void {
  const items: HTMLElement[] = [
    h('li', {}, swatch('free'), h('span', { text: 'free (memblock.memory, not reserved)' })),
    h('li', {}, swatch('fw'), h('span', { text: 'firmware-reserved (e820/EFI, not usable)' })),
    h('li', {}, swatch('absent'), h('span', { text: 'node block not in memblock.memory' })),
    h('li', {}, swatch('gap'), h('span', { text: 'hole (collapsed)' })),
    h('li', {}, swatch('changed'), h('span', { text: 'changed by this event' })),
  ];
  const owners = boot.owners.length ? boot.owners : ['unknown'];
  for (const o of owners) items.push(h('li', { class: 'owner', 'data-owner': o }, swatch('owner', o), h('span', { text: o })));
  ui.legend.replaceChildren(...items);
  void KNOWN_OWNERS;
}

function renderAccounting(boot: BootView): void {
  const steps = boot.accounting;
  if (steps.length === 0) {
    ui.accounting.replaceChildren(h('p', { class: 'muted', text: 'The log has no accounting lines (Memory: …K/…K available).' }));
    return;
  }
  const max = steps.reduce((m, s) => (big(s.bytes) > m ? big(s.bytes) : m), 1n);
  const table = h('table', { class: 'waterfall', 'aria-label': 'Accounting waterfall: installed, usable, reserved by owner, handed to the page allocator' });
  const body = h('tbody');
  for (const s of steps) {
    const bytes = big(s.bytes);
    const pct = Number((bytes * 10000n) / max) / 100;
    const bar = h('span', { class: `bar${s.owner ? ' owner' : ''}` });
    bar.style.width = `${Math.max(0.5, pct)}%`;
    if (s.owner) bar.style.setProperty('--swatch', `var(${ownerVar(s.owner)})`);
    const row = h(
      'tr',
      { class: s.owner ? 'owner-step' : 'total-step' },
      h('th', { scope: 'row', text: s.label }),
      h('td', { class: 'bar-cell' }, bar),
      h('td', { class: 'num', text: humanSize(bytes) }),
    );
    body.append(row);
  }
  table.append(body);
  ui.accounting.replaceChildren(table);
}

/** A boot picker when the log holds several boots (reboots, kexec, concatenated captures). */
function renderBootSelect(boots: BootSummary[], current: number): void {
  view.bootCount = Math.max(1, boots.length);
  if (boots.length <= 1) {
    ui.bootSelect.replaceChildren();
    return;
  }
  const sel = document.createElement('vscode-single-select');
  sel.id = 'boot-select';
  sel.setAttribute('aria-label', 'Boot');
  for (const b of boots) {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', String(b.index));
    if (b.index === current) o.setAttribute('selected', '');
    o.textContent = `Boot ${b.index}${b.kernelVersion ? ` · ${b.kernelVersion}` : ''} (lines ${b.startLine}–${b.endLine})`;
    sel.append(o);
  }
  sel.addEventListener('change', () => {
    const i = Number((sel as unknown as { value: string }).value);
    if (Number.isInteger(i) && i !== view.boot?.boot.index) post({ type: 'selectBoot', bootIndex: i });
  });
  ui.bootSelect.replaceChildren(sel, sep());
}

function renderState(state: StateMessage): void {
  if (!view.boot || state.bootIndex !== view.boot.boot.index) return;
  if (inFlight === state.eventIndex || inFlight !== undefined) {
    inFlight = undefined;
    window.clearTimeout(inFlightTimer);
  }
  view.state = state;
  map.setState(state);
  // The host clamps; adopt its index when nothing newer is queued.
  if (!pending && state.eventIndex !== view.playhead) {
    view.playhead = state.eventIndex;
    timeline.setPlayhead(state.eventIndex);
    updatePosition();
    persist();
  }
  setStatus(state.announcement);
  app.dataset.playhead = String(state.eventIndex);
  app.dataset.line = String(state.line);
  app.dataset.reserved = String(state.reserved.length);
  const totalReserved = state.reserved.reduce((a, r) => a + big(r.size), 0n);
  app.dataset.reservedBytes = totalReserved.toString();
  pump();
}

/** Same plain data (both built by the protocol's guards, so their keys come in the same order). */
function sameJson(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function onMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'init':
      if (message.protocol !== PROTOCOL_VERSION) {
        setStatus(`Protocol mismatch: extension ${message.protocol}, view ${PROTOCOL_VERSION}. Reload the window.`, 'error');
        return;
      }
      view.doc = message.document;
      renderDocument(message.document);
      persist();
      break;
    case 'boot':
      renderBoot(message.view);
      renderBootSelect(message.boots ?? [], message.view.boot.index);
      break;
    case 'state':
      renderState(message);
      break;
    case 'playhead':
      // The editor cursor (or a seek) moved the playhead; the state follows from the host.
      if (view.boot && message.bootIndex === view.boot.boot.index) {
        view.playhead = message.eventIndex;
        pending = undefined;
        timeline.setPlayhead(message.eventIndex);
        updatePosition();
        persist();
      }
      break;
    case 'timelinePage':
      if (view.boot && message.bootIndex === view.boot.boot.index) timeline.addPage(message.start, message.events);
      break;
    case 'action':
      act(message.action);
      break;
    case 'progress':
      setStatus(message.message);
      break;
    case 'exportResult':
      setStatus(message.saved ? `Map exported as ${message.format.toUpperCase()}${message.target ? ` to ${message.target}` : ''}.` : (message.message ?? 'Export cancelled.'));
      break;
    case 'seekResult':
      setStatus(message.message);
      break;
    // A `restored` result this view already showed (re-run after a reload, or resent to a re-created
    // view: its inputs are the ones persisted) keeps the tab and the status line as they are; anything
    // else is brought to the front.
    case 'whatIf': {
      whatIfPane.show(message.request, message.view);
      const shown: PersistedWhatIf = { bootIndex: message.view.bootIndex, request: message.request };
      const known = message.restored && sameJson(view.whatIf, shown);
      view.whatIf = shown;
      persist();
      if (known) break;
      selectTab('whatif');
      setStatus(`What-if: boot ${message.view.bootIndex} under ${message.view.model}: ${plural(message.view.totals.moved, 'request')} moved, ${plural(message.view.totals.failures, 'failure')}, ${message.view.totals.offNode} off-node.`);
      break;
    }
    case 'whatIfError':
      whatIfPane.showError(message.message);
      if (message.restored) break;
      selectTab('whatif');
      setStatus(`What-if: ${message.message}`, 'error');
      break;
    case 'compare': {
      comparePane.show(message.view);
      const known = message.restored && sameJson(view.compare, message.source);
      if (message.source) {
        view.compare = message.source;
        persist();
      }
      if (known) break;
      selectTab('compare');
      setStatus(`Compared ${message.view.a.name} boot ${message.view.a.bootIndex} with ${message.view.b.name} boot ${message.view.b.bootIndex}.`);
      break;
    }
    case 'compareError':
      comparePane.showError(message.message);
      if (message.restored) break;
      selectTab('compare');
      setStatus(`Compare: ${message.message}`, 'error');
      break;
    case 'error':
      setStatus(message.message, 'error');
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) onMessage(message);
});

// VS Code switches themes by changing the body class and the --vscode-* variables.
new MutationObserver(() => {
  map.themeChanged();
  timeline.themeChanged();
}).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });

void PAGE_SIZE;

post(saved?.bootIndex !== undefined && saved.eventIndex !== undefined ? { type: 'ready', bootIndex: saved.bootIndex, eventIndex: saved.eventIndex } : { type: 'ready' });
