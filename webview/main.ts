// The Memory Map webview app (bundled to dist/webview.js as an IIFE; no framework).
// It renders host messages with textContent only: log text is never interpreted as HTML.
//
// Seams for the engine: `renderMap` and `renderTimeline` receive the document today and will receive
// allocator snapshots / timeline events once src/engine is wired in (see src/protocol/messages.ts).
import './style.css';
import {
  PROTOCOL_VERSION,
  parseHostMessage,
  type DocumentInfo,
  type HostToWebview,
  type PersistedState,
  type WebviewToHost,
} from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function el(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`webview: missing #${id}`);
  return e;
}

const ui = {
  docName: el('doc-name'),
  meta: el('doc-meta'),
  status: el('status'),
  mapBody: el('map-body'),
  timelineBody: el('timeline-body'),
};

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', kind === 'error');
}

function paragraph(text: string, className?: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

function renderDocument(doc: DocumentInfo): void {
  ui.docName.textContent = doc.name;
  ui.docName.title = doc.uri;
  document.title = `Memory Map: ${doc.name}`;
  const lines = `${doc.lineCount.toLocaleString('en-US')} lines`;
  ui.meta.textContent = doc.languageId ? `${lines} · language: ${doc.languageId}` : lines;
  renderMap(doc);
  renderTimeline(doc);
  setStatus('Waiting for the boot-memory engine.');
}

/** Map pane: NUMA nodes and their blocks (placeholder until the engine sends state). */
function renderMap(doc: DocumentInfo): void {
  ui.mapBody.replaceChildren(
    ...(doc.banner ? [paragraph(doc.banner, 'banner')] : []),
    paragraph('The per-node memory map will appear here once the log has been analysed.'),
  );
}

/** Timeline pane: reserve/free events in log order (placeholder until the engine sends events). */
function renderTimeline(_doc: DocumentInfo): void {
  ui.timelineBody.replaceChildren(paragraph('memblock and bootmem events will be listed here, in log order.'));
}

function onMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'init':
      if (message.protocol !== PROTOCOL_VERSION) {
        setStatus(`Protocol mismatch: extension ${message.protocol}, view ${PROTOCOL_VERSION}. Reload the window.`, 'error');
        return;
      }
      // Persist the document so the serializer can restore this panel after a reload.
      vscode.setState({ documentUri: message.document.uri });
      renderDocument(message.document);
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

vscode.postMessage({ type: 'ready' });
