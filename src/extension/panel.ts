// The "Memory Map" webview panel: one per log document. The panel only reads the document; it never
// edits or saves it. Log text reaches the webview only inside messages and is rendered there with
// textContent, never as HTML.
import * as vscode from 'vscode';
import { MAP_VIEW_TYPE } from './ids';
import {
  PROTOCOL_VERSION,
  parsePersistedState,
  parseWebviewMessage,
  type DocumentInfo,
  type HostToWebview,
  type WebviewToHost,
} from '../protocol/messages';

/** What the tests (and later other extensions) can observe about open panels. */
export interface MapPanelInfo {
  documentUri: string;
  /** True once the webview script ran and completed the ready/init handshake. */
  handshakeDone: boolean;
  /** Number of `ready` messages received (a re-created webview says ready again). */
  readyCount: number;
  /** Messages from the webview that failed validation and were dropped. */
  rejectedMessages: number;
}

const BANNER_SCAN_LINES = 400;
const MAX_BANNER = 300;

export class MapPanel implements vscode.Disposable {
  private static readonly byDocument = new Map<string, MapPanel>();

  /** Opens (or focuses) the map for `document`, beside the editor. */
  static createOrShow(extensionUri: vscode.Uri, document: vscode.TextDocument): MapPanel {
    const key = document.uri.toString();
    const existing = MapPanel.byDocument.get(key);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      MAP_VIEW_TYPE,
      MapPanel.title(document.uri),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      MapPanel.webviewOptions(extensionUri),
    );
    return new MapPanel(panel, extensionUri, document.uri, document);
  }

  /** Restores a panel after a window reload (called by the WebviewPanelSerializer). */
  static async revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): Promise<void> {
    // The serializer hands back whatever the webview stored: validate it like any webview input.
    const persisted = parsePersistedState(state);
    panel.webview.options = MapPanel.webviewOptions(extensionUri);
    if (!persisted) {
      panel.webview.html = MapPanel.html(panel.webview, extensionUri);
      void panel.webview.postMessage({ type: 'error', message: 'No log is associated with this panel any more. Open a boot log and run "Boot Memory: Open Memory Map".' } satisfies HostToWebview);
      return;
    }
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(persisted.documentUri, true);
    } catch {
      panel.dispose();
      return;
    }
    const key = uri.toString();
    const existing = MapPanel.byDocument.get(key);
    if (existing) {
      // Restored twice (should not happen): keep the first one.
      panel.dispose();
      existing.panel.reveal(undefined, true);
      return;
    }
    panel.title = MapPanel.title(uri);
    // The document is opened lazily, when the webview says ready (so a deleted file gives an error).
    new MapPanel(panel, extensionUri, uri, undefined);
  }

  static all(): MapPanelInfo[] {
    return [...MapPanel.byDocument.values()].map((p) => p.info());
  }

  static disposeAll(): void {
    for (const p of [...MapPanel.byDocument.values()]) p.dispose();
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      // The webview may load only our bundles.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      // The view state lives in setState/getState, so the context need not be retained when hidden.
      retainContextWhenHidden: false,
    };
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly key: string;
  private readyCount = 0;
  private rejected = 0;
  private handshakeDone = false;
  private disposed = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly documentUri: vscode.Uri,
    private document: vscode.TextDocument | undefined,
  ) {
    this.key = documentUri.toString();
    MapPanel.byDocument.set(this.key, this);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'map.svg');
    panel.webview.html = MapPanel.html(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.toString() === this.key) this.document = undefined;
      }),
    );
  }

  private info(): MapPanelInfo {
    return {
      documentUri: this.key,
      handshakeDone: this.handshakeDone,
      readyCount: this.readyCount,
      rejectedMessages: this.rejected,
    };
  }

  private post(message: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const message: WebviewToHost | undefined = parseWebviewMessage(raw);
    if (!message) {
      this.rejected++;
      return;
    }
    switch (message.type) {
      case 'ready':
        this.readyCount++;
        void this.sendInit();
        break;
      case 'revealLine':
        void this.revealLine(message.line);
        break;
    }
  }

  private async openDocument(): Promise<vscode.TextDocument> {
    if (!this.document || this.document.isClosed) {
      // Opening a TextDocument only reads the file; nothing here ever writes to it.
      this.document = await vscode.workspace.openTextDocument(this.documentUri);
    }
    return this.document;
  }

  private async sendInit(): Promise<void> {
    let document: vscode.TextDocument;
    try {
      document = await this.openDocument();
    } catch (e) {
      this.post({ type: 'error', message: `Cannot open ${MapPanel.baseName(this.documentUri)}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    this.post({ type: 'init', protocol: PROTOCOL_VERSION, document: describeDocument(document) });
    this.handshakeDone = true;
  }

  private async revealLine(line: number): Promise<void> {
    const document = await this.openDocument();
    const l = Math.min(line, document.lineCount) - 1;
    const range = new vscode.Range(l, 0, l, 0);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (MapPanel.byDocument.get(this.key) === this) MapPanel.byDocument.delete(this.key);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private static baseName(uri: vscode.Uri): string {
    const parts = uri.path.split('/');
    return parts[parts.length - 1] || uri.path;
  }

  private static title(uri: vscode.Uri): string {
    return `Memory Map: ${MapPanel.baseName(uri)}`;
  }

  /** The static page. It contains no log text: that arrives later in messages. */
  static html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
    const nonce = makeNonce();
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Memory Map</title>
</head>
<body>
<div id="app" data-protocol="${PROTOCOL_VERSION}">
  <header class="header">
    <h1 id="title"><span class="label">Memory Map</span> <span id="doc-name" class="doc-name"></span></h1>
    <p id="doc-meta" class="meta"></p>
    <p id="status" class="status" role="status" aria-live="polite">Loading…</p>
  </header>
  <main class="layout">
    <section id="map" class="pane" aria-labelledby="map-heading">
      <h2 id="map-heading">NUMA nodes and blocks</h2>
      <div id="map-body" class="placeholder"></div>
    </section>
    <section id="timeline" class="pane" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <div id="timeline-body" class="placeholder"></div>
    </section>
  </main>
</div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}

/** Document facts for the webview. Reads the text; never changes it. */
export function describeDocument(document: vscode.TextDocument): DocumentInfo {
  let banner: string | undefined;
  const scan = Math.min(document.lineCount, BANNER_SCAN_LINES);
  for (let i = 0; i < scan; i++) {
    const text = document.lineAt(i).text;
    const at = text.indexOf('Linux version ');
    if (at >= 0) {
      banner = text.slice(at, at + MAX_BANNER);
      break;
    }
  }
  const parts = document.uri.path.split('/');
  return {
    uri: document.uri.toString(),
    name: parts[parts.length - 1] || document.uri.path,
    languageId: document.languageId,
    lineCount: document.lineCount,
    banner,
  };
}

function makeNonce(): string {
  // Web Crypto exists in Node 20 and in browsers, so this works in both extension hosts.
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
