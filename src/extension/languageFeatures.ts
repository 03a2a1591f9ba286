// Language features of boot logs, all answered from the document's engine session (analysisService):
// Problems (diagnostics), hovers on addresses and ranges, definition/references between a reserve
// and its frees, CodeLens on event lines, the outline (document symbols) and folding of dumps.
//
// Log text is untrusted: hovers are MarkdownStrings with isTrusted=false and every piece of log or
// engine text goes through escapeMarkdown (format.ts: entities for HTML, backslashes for Markdown); nothing is rendered as HTML.
import * as vscode from 'vscode';
import type { DiagnosticView, SectionView } from '../engine/session/api';
import type { LeakView, Severity } from '../protocol/messages';
import { addressAt, hexOf } from './addresses';
import { AnalysisService, type LogAnalysis } from './analysisService';
import { CONFIG_SECTION, Commands, DIAGNOSTIC_SOURCE, LANGUAGE_ID, LEAK_CODE, Settings } from './ids';
import { escapeMarkdown, humanBytes } from './format';

const SELECTOR: vscode.DocumentSelector = { language: LANGUAGE_ID };

/** Files with more lines than this get CodeLenses for the visible ranges only. */
export const LENS_VISIBLE_ONLY_ABOVE_LINES = 5_000;
/** Lines above and below the visible range that also get lenses (so scrolling does not flicker). */
const LENS_MARGIN = 200;

export function registerLanguageFeatures(service: AnalysisService): vscode.Disposable {
  const diagnostics = new ProblemsPublisher(service);
  const lenses = new EventLensProvider(service);
  return vscode.Disposable.from(
    diagnostics,
    lenses,
    vscode.languages.registerHoverProvider(SELECTOR, new AddressHoverProvider(service)),
    vscode.languages.registerDefinitionProvider(SELECTOR, new MatchingProvider(service)),
    vscode.languages.registerReferenceProvider(SELECTOR, new MatchingProvider(service)),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, new SectionSymbolProvider(service), { label: 'Boot Memory' }),
    vscode.languages.registerFoldingRangeProvider(SELECTOR, new DumpFoldingProvider(service)),
  );
}

// ------------------------------------------------------------------------------------------------
// Problems

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Publishes findings (and suspect leaks) of every analysed log to the Problems panel. */
class ProblemsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('bootMemoryLens');
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: AnalysisService) {
    this.disposables.push(
      this.collection,
      service.onDidAnalyze((a) => this.publish(a)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.diagnostics`)) this.republishAll();
      }),
    );
  }

  private republishAll(): void {
    for (const d of vscode.workspace.textDocuments) {
      const a = this.service.latest(d.uri);
      if (a) this.publish(a);
    }
  }

  private publish(analysis: LogAnalysis): void {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const includeInfo = config.get<boolean>(Settings.diagnosticsIncludeInfo, true);
    const includeLeaks = config.get<boolean>(Settings.diagnosticsLeaks, true);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === analysis.uri.toString());
    const out: vscode.Diagnostic[] = [];
    for (const view of analysis.diagnostics) {
      if (view.severity === 'info' && !includeInfo) continue;
      out.push(toDiagnostic(analysis.uri, document, view));
    }
    if (includeLeaks) {
      for (const boot of analysis.boots) {
        for (const leak of boot.leaks) if (leak.disposition === 'suspect') out.push(leakDiagnostic(document, leak));
      }
    }
    this.collection.set(analysis.uri, out);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The editor range of 1-based lines [line, endLine], whole lines. */
export function lineRange(document: vscode.TextDocument | undefined, line: number, endLine = line): vscode.Range {
  const first = Math.max(0, line - 1);
  let last = Math.max(first, endLine - 1);
  if (document) {
    if (first >= document.lineCount) return new vscode.Range(Math.max(0, document.lineCount - 1), 0, Math.max(0, document.lineCount - 1), 0);
    last = Math.min(last, document.lineCount - 1);
    const start = document.lineAt(first).firstNonWhitespaceCharacterIndex;
    return new vscode.Range(first, start, last, document.lineAt(last).text.length);
  }
  return new vscode.Range(first, 0, last, Number.MAX_SAFE_INTEGER);
}

export function toDiagnostic(uri: vscode.Uri, document: vscode.TextDocument | undefined, view: DiagnosticView): vscode.Diagnostic {
  const d = new vscode.Diagnostic(lineRange(document, view.line, view.endLine), view.message, SEVERITY[view.severity] ?? vscode.DiagnosticSeverity.Information);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = view.code;
  if (view.related.length > 0) {
    d.relatedInformation = view.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, lineRange(document, r.line)), r.message));
  }
  return d;
}

function leakDiagnostic(document: vscode.TextDocument | undefined, leak: LeakView): vscode.Diagnostic {
  const size = humanBytes(leak.heldBytes);
  const by = leak.caller ? `${leak.owner} (${leak.caller})` : leak.owner;
  const node = leak.nid !== undefined ? ` on node ${leak.nid}` : '';
  const d = new vscode.Diagnostic(
    lineRange(document, leak.line),
    `Suspect leak: ${size}${node} reserved by ${by} is still held at the hand-off to the page allocator: ${leak.why}`,
    vscode.DiagnosticSeverity.Information,
  );
  d.source = DIAGNOSTIC_SOURCE;
  d.code = LEAK_CODE;
  return d;
}

// ------------------------------------------------------------------------------------------------
// Hover

/** Untrusted text as Markdown that renders literally. */
const safe = escapeMarkdown;

class AddressHoverProvider implements vscode.HoverProvider {
  constructor(private readonly service: AnalysisService) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const text = document.lineAt(position.line).text;
    const found = addressAt(text, position.character);
    if (!found) return undefined;
    const analysis = await this.service.analysis(document);
    if (!analysis || token.isCancellationRequested) return undefined;
    const line = position.line + 1;
    const info = await analysis.session.addressInfo(line, hexOf(found.base));
    if (!info || token.isCancellationRequested) return undefined;
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown('**Boot Memory** · ');
    const head = [info.nid !== undefined ? `node ${info.nid}` : 'no NUMA node'];
    if (info.block) head.push(`block of ${humanBytes(info.block.size)}`);
    if (info.firmwareType) head.push(`firmware: ${info.firmwareType}`);
    md.appendMarkdown(safe(head.join(' · ')));
    md.appendMarkdown('\n\n');
    if (found.last !== undefined && found.last > found.base) {
      md.appendMarkdown(safe(`Range ${hexOf(found.base)}–${hexOf(found.last)}: ${humanBytes(found.last - found.base + 1n)}`));
      md.appendMarkdown('\n\n');
    }
    // The session composes these from the analysis; they quote log text (callers), so escape them.
    for (const l of info.lines) {
      md.appendMarkdown(safe(l));
      md.appendMarkdown('\n\n');
    }
    return new vscode.Hover(md, new vscode.Range(position.line, found.start, position.line, found.end));
  }
}

// ------------------------------------------------------------------------------------------------
// Definition / references: reserve <-> free

/** The matching reserve (from a free) or frees (from a reserve/alloc) of the event at `line` (0-based). */
export async function matchingLocations(service: AnalysisService, document: vscode.TextDocument, line0: number): Promise<vscode.Location[]> {
  const analysis = await service.analysis(document);
  if (!analysis) return [];
  const lines = await analysis.session.matching(line0 + 1);
  return lines.map((l) => new vscode.Location(document.uri, lineRange(document, l)));
}

class MatchingProvider implements vscode.DefinitionProvider, vscode.ReferenceProvider {
  constructor(private readonly service: AnalysisService) {}

  async provideDefinition(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Location[]> {
    return matchingLocations(this.service, document, position.line);
  }

  async provideReferences(document: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext): Promise<vscode.Location[]> {
    const out = await matchingLocations(this.service, document, position.line);
    if (context.includeDeclaration && out.length > 0) out.unshift(new vscode.Location(document.uri, lineRange(document, position.line + 1)));
    return out;
  }
}

// ------------------------------------------------------------------------------------------------
// CodeLens

/** The argument `bootMemoryLens.openMap` receives from "Show in map": the log and a 1-based line. */
export interface OpenMapAtLine {
  uri: vscode.Uri;
  line: number;
}

class EventLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private scrollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly service: AnalysisService) {
    this.disposables.push(
      this.changed,
      service.onDidAnalyze(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.${Settings.codeLensEnabled}`)) this.changed.fire();
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (e.textEditor.document.languageId !== LANGUAGE_ID || e.textEditor.document.lineCount <= LENS_VISIBLE_ONLY_ABOVE_LINES) return;
        if (this.scrollTimer) clearTimeout(this.scrollTimer);
        this.scrollTimer = setTimeout(() => this.changed.fire(), 150);
      }),
    );
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration(CONFIG_SECTION, document).get<boolean>(Settings.codeLensEnabled, true)) return [];
    const analysis = await this.service.analysis(document);
    if (!analysis || token.isCancellationRequested) return [];
    const spans = lensSpans(document);
    const out: vscode.CodeLens[] = [];
    for (const [from, to] of spans) {
      const lenses = await analysis.session.lenses(from, to);
      if (token.isCancellationRequested) return [];
      for (const lens of lenses) {
        if (lens.line < 1 || lens.line > document.lineCount) continue;
        const range = new vscode.Range(lens.line - 1, 0, lens.line - 1, 0);
        const info: vscode.Command =
          lens.related.length > 0
            ? { title: lens.text, command: Commands.goToMatching, arguments: [{ uri: document.uri, line: lens.line }], tooltip: 'Go to the matching reserve/free' }
            : { title: lens.text, command: '' };
        out.push(new vscode.CodeLens(range, info));
        const at: OpenMapAtLine = { uri: document.uri, line: lens.line };
        out.push(new vscode.CodeLens(range, { title: 'Show in map', command: Commands.openMap, arguments: [at], tooltip: 'Open the Memory Map at this event' }));
      }
    }
    return out;
  }

  dispose(): void {
    if (this.scrollTimer) clearTimeout(this.scrollTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** 1-based inclusive line spans that get lenses: the whole file, or the visible ranges of big ones. */
function lensSpans(document: vscode.TextDocument): [number, number][] {
  if (document.lineCount <= LENS_VISIBLE_ONLY_ABOVE_LINES) return [[1, document.lineCount]];
  const spans: [number, number][] = [];
  for (const editor of vscode.window.visibleTextEditors) {
    if (editor.document !== document) continue;
    for (const r of editor.visibleRanges) spans.push([Math.max(1, r.start.line + 1 - LENS_MARGIN), Math.min(document.lineCount, r.end.line + 1 + LENS_MARGIN)]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  // Not shown in any editor (e.g. asked by a command): the top of the file.
  return merged.length > 0 ? merged : [[1, Math.min(document.lineCount, 2 * LENS_MARGIN)]];
}

// ------------------------------------------------------------------------------------------------
// Outline and folding

const SYMBOL_KIND: Record<string, vscode.SymbolKind> = {
  boot: vscode.SymbolKind.Module,
  'firmware-map': vscode.SymbolKind.Struct,
  numa: vscode.SymbolKind.Namespace,
  memblock: vscode.SymbolKind.Event,
  checkpoint: vscode.SymbolKind.Array,
  zones: vscode.SymbolKind.Enum,
  accounting: vscode.SymbolKind.Number,
};

function toSymbol(document: vscode.TextDocument, section: SectionView): vscode.DocumentSymbol {
  const range = lineRange(document, section.startLine, Math.max(section.startLine, section.endLine));
  const selection = lineRange(document, section.startLine);
  const symbol = new vscode.DocumentSymbol(section.name || section.kind, section.kind, SYMBOL_KIND[section.kind] ?? vscode.SymbolKind.Object, range, selection.intersection(range) ?? range);
  symbol.children = (section.children ?? []).map((c) => toSymbol(document, c)).filter((c) => range.contains(c.range));
  return symbol;
}

class SectionSymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly service: AnalysisService) {}

  async provideDocumentSymbols(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.DocumentSymbol[]> {
    const analysis = await this.service.analysis(document);
    if (!analysis || token.isCancellationRequested) return [];
    return analysis.sections.map((s) => toSymbol(document, s));
  }
}

class DumpFoldingProvider implements vscode.FoldingRangeProvider {
  constructor(private readonly service: AnalysisService) {}

  async provideFoldingRanges(document: vscode.TextDocument, _context: vscode.FoldingContext, token: vscode.CancellationToken): Promise<vscode.FoldingRange[]> {
    const analysis = await this.service.analysis(document);
    if (!analysis || token.isCancellationRequested) return [];
    return analysis.foldingRanges
      .filter((r) => r.end > r.start && r.end <= document.lineCount)
      .map((r) => new vscode.FoldingRange(r.start - 1, r.end - 1, vscode.FoldingRangeKind.Region));
  }
}

