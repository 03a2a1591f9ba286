// The typed message protocol between the extension host (src/extension/panel.ts) and the webview
// app (webview/main.ts). Both sides import this file; it imports neither `vscode` nor the DOM.
//
// Flow: the webview script starts and posts `ready`; the host answers with `init` (and again on every
// later `ready`, e.g. after the webview was re-created). The host treats everything the webview sends
// as untrusted input: `parseWebviewMessage` checks the shape at run time and drops anything else.

/** Bumped when a message changes shape; the webview shows a mismatch instead of misreading data. */
export const PROTOCOL_VERSION = 1;

// ------------------------------------------------------------------------------------------------
// Host -> webview

/** What the webview needs to know about the log it shows. All strings are plain text (never HTML). */
export interface DocumentInfo {
  /** The document URI as a string (`vscode.Uri.toString()`); also what the webview persists. */
  uri: string;
  /** Base name shown in the header, e.g. `dmesg.txt`. */
  name: string;
  languageId: string;
  lineCount: number;
  /** The kernel banner (`Linux version ...`) when one was found near the top, else undefined. */
  banner?: string;
}

export interface InitMessage {
  type: 'init';
  protocol: number;
  document: DocumentInfo;
}

/** The document could not be (re)opened, e.g. after a reload when the file was deleted. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

// Seams for the engine: `state` (allocator snapshot for the map) and `timeline` messages will join
// this union when src/engine is ready.
export type HostToWebview = InitMessage | ErrorMessage;

// ------------------------------------------------------------------------------------------------
// Webview -> host

export interface ReadyMessage {
  type: 'ready';
}

/** Ask the host to reveal a (1-based) line of the log in the text editor, e.g. from a timeline row. */
export interface RevealLineMessage {
  type: 'revealLine';
  line: number;
}

export type WebviewToHost = ReadyMessage | RevealLineMessage;

/** State the webview persists with `setState` so the serializer can restore the panel after reload. */
export interface PersistedState {
  documentUri: string;
}

// ------------------------------------------------------------------------------------------------
// Run-time guards

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const MAX_LINE = 1 << 30;

/** Validates a message received from the webview; returns undefined for anything malformed. */
export function parseWebviewMessage(x: unknown): WebviewToHost | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'ready':
      return { type: 'ready' };
    case 'revealLine': {
      const line = x.line;
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > MAX_LINE) return undefined;
      return { type: 'revealLine', line };
    }
    default:
      return undefined;
  }
}

/** Validates a message received from the host (the webview side trusts the host, but not blindly). */
export function parseHostMessage(x: unknown): HostToWebview | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'init': {
      const d = x.document;
      if (typeof x.protocol !== 'number' || !isRecord(d)) return undefined;
      if (typeof d.uri !== 'string' || typeof d.name !== 'string' || typeof d.languageId !== 'string') return undefined;
      if (typeof d.lineCount !== 'number') return undefined;
      if (d.banner !== undefined && typeof d.banner !== 'string') return undefined;
      return {
        type: 'init',
        protocol: x.protocol,
        document: { uri: d.uri, name: d.name, languageId: d.languageId, lineCount: d.lineCount, banner: d.banner },
      };
    }
    case 'error':
      return typeof x.message === 'string' ? { type: 'error', message: x.message } : undefined;
    default:
      return undefined;
  }
}

/** Validates state handed back by `deserializeWebviewPanel` (it comes from webview storage). */
export function parsePersistedState(x: unknown): PersistedState | undefined {
  if (!isRecord(x) || typeof x.documentUri !== 'string' || x.documentUri.length === 0) return undefined;
  if (x.documentUri.length > 8192) return undefined;
  return { documentUri: x.documentUri };
}
