// Where the Memory Map gets its engine session from. The extension wires the analysis service in
// (one analysis per document, off the extension host thread); without it (e.g. a document that is not
// a boot log but was opened through a Uri) the panel analyses in process, cached by version.
import * as vscode from 'vscode';
import type { EngineSessionApi } from '../../engine/session/api';
import { EngineSession } from '../../engine/session/session';

type Used = 'summary' | 'bootView' | 'timelinePage' | 'stateAt' | 'eventAtLine' | 'whatIf' | 'compare' | 'compareWith';

/** The part of the (asynchronous) engine session API the panel uses. */
export type PanelSession = {
  [K in Used]: (...args: Parameters<EngineSessionApi[K]>) => Promise<Awaited<ReturnType<EngineSessionApi[K]>>>;
};

export interface PanelEngine {
  /** The session of the document's current version (undefined: not analysable by this source). */
  session(document: vscode.TextDocument): Promise<PanelSession | undefined>;
  /** Fires when a document's analysis was replaced (its text changed). */
  onDidAnalyze?: vscode.Event<{ uri: vscode.Uri }>;
}

/** In-process fallback: EngineSession.fromText on the extension host thread, one per document version. */
export class InProcessEngine implements PanelEngine {
  private readonly cache = new Map<string, { version: number; session: PanelSession }>();

  async session(document: vscode.TextDocument): Promise<PanelSession> {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.session;
    const engine = EngineSession.fromText(document.getText());
    const session: PanelSession = {
      summary: async () => engine.summary(),
      bootView: async (b) => engine.bootView(b),
      timelinePage: async (b, s, c) => engine.timelinePage(b, s, c),
      stateAt: async (b, e) => engine.stateAt(b, e),
      eventAtLine: async (l) => engine.eventAtLine(l),
      whatIf: async (b, r) => engine.whatIf(b, r),
      compare: async (a, b, name) => engine.compare(a, b, name),
      // In process there is no worker to stream a path: read the file here and hand over its text.
      compareWith: async (other, options, control) =>
        engine.compareWith('path' in other ? { text: new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.file(other.path))) } : other, options, control),
    };
    this.cache.set(key, { version: document.version, session });
    return session;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}

/** Tries the primary engine (the analysis service), falls back to in-process analysis. */
export function withFallback(primary: PanelEngine | undefined, fallback: InProcessEngine): PanelEngine {
  return {
    onDidAnalyze: primary?.onDidAnalyze,
    async session(document) {
      const s = primary ? await primary.session(document).catch(() => undefined) : undefined;
      return s ?? fallback.session(document);
    },
  };
}
