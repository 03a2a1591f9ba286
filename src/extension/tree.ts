// The "Boot Memory" tree view: for the boot log last active in an editor,
//   Boot i (kernel, lines)
//     Node n (size, blocks)
//       Block [mem a-b] (size)
//         reservation (owner, size, caller; "freed" when released before the hand-off)
//       Outside the node's blocks
//         … (reservations come in pages; "Show N more" fetches the next one)
//     Leaks (suspect first, then the other dispositions as subgroups)
//     Findings
// Every leaf reveals its log line (vscode.open with a selection). Labels are plain text: TreeItem
// labels and descriptions are never interpreted as Markdown or HTML.
import * as vscode from 'vscode';
import type { ReservationScope, TreeReservation } from '../engine/session/api';
import type { BootView, FindingView, LeakView } from '../protocol/messages';
import type { AnalysisService, LogAnalysis } from './analysisService';
import { baseName } from './analysisService';
import { clip, humanBytes } from './format';
import { ContextKeys, InternalCommands, LANGUAGE_ID } from './ids';

export type TreeNode =
  | { kind: 'boot'; id: string; analysis: LogAnalysis; boot: BootView }
  | { kind: 'node'; id: string; parent: TreeNode; analysis: LogAnalysis; boot: BootView; nid: number }
  | { kind: 'block'; id: string; parent: TreeNode; analysis: LogAnalysis; boot: BootView; nid: number; base: bigint; size: bigint }
  | { kind: 'outside'; id: string; parent: TreeNode; analysis: LogAnalysis; boot: BootView; nid: number }
  | { kind: 'reservation'; id: string; parent: TreeNode; analysis: LogAnalysis; reservation: TreeReservation }
  | { kind: 'more'; id: string; parent: ScopeNode; analysis: LogAnalysis; remaining: number }
  | { kind: 'leaks'; id: string; parent: TreeNode; analysis: LogAnalysis; boot: BootView }
  | { kind: 'leakGroup'; id: string; parent: TreeNode; analysis: LogAnalysis; disposition: LeakView['disposition']; leaks: LeakView[] }
  | { kind: 'leak'; id: string; parent: TreeNode; analysis: LogAnalysis; leak: LeakView }
  | { kind: 'findings'; id: string; parent: TreeNode; analysis: LogAnalysis; boot: BootView }
  | { kind: 'finding'; id: string; parent: TreeNode; analysis: LogAnalysis; finding: FindingView };

type ScopeNode = Extract<TreeNode, { kind: 'block' | 'outside' }>;

/** Reservations per page: a block of a million-event log can hold hundreds of thousands. */
export const RESERVATION_PAGE = 500;

const DISPOSITION_LABEL: Record<LeakView['disposition'], string> = {
  suspect: 'Suspect',
  unclassified: 'Unclassified',
  'released-later': 'Released after the hand-off',
  permanent: 'Held by design',
};
const DISPOSITION_ORDER: LeakView['disposition'][] = ['suspect', 'unclassified', 'released-later', 'permanent'];

export class BootMemoryTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private shown: vscode.Uri | undefined;
  private roots: TreeNode[] = [];
  private readonly children = new Map<string, TreeNode[]>();

  constructor(private readonly service: AnalysisService) {
    this.disposables.push(
      this.changed,
      service.onDidAnalyze((a) => {
        if (!this.shown || a.uri.toString() === this.shown.toString()) this.show(a.uri);
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e?.document.languageId === LANGUAGE_ID) this.show(e.document.uri);
      }),
      service.onDidChangeActiveUnsyncedLog((uri) => {
        if (uri) this.show(uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.shown && d.uri.toString() === this.shown.toString()) this.show(undefined);
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => {
        // An unsynced (large) log has no close event: forget it once the service dropped it.
        if (this.shown && !this.service.latest(this.shown) && !this.service.isBusy(this.shown)) this.show(undefined);
      }),
    );
    const active = vscode.window.activeTextEditor?.document;
    if (active?.languageId === LANGUAGE_ID) this.shown = active.uri;
  }

  /** The log the tree shows. */
  get uri(): vscode.Uri | undefined {
    return this.shown;
  }

  private show(uri: vscode.Uri | undefined): void {
    this.shown = uri;
    this.rebuild();
  }

  private rebuild(): void {
    this.children.clear();
    const analysis = this.shown ? this.service.latest(this.shown) : undefined;
    this.roots = analysis ? analysis.boots.map((boot) => ({ kind: 'boot', id: `${analysis.uri.toString()}#boot${boot.boot.index}`, analysis, boot })) : [];
    void vscode.commands.executeCommand('setContext', ContextKeys.treeHasLog, this.roots.length > 0);
    this.changed.fire();
  }

  /** The "Leaks" group of the boot around a line (or of the last boot), for "Show Leaks". */
  async leaksGroup(line?: number): Promise<TreeNode | undefined> {
    let boot = this.roots[this.roots.length - 1];
    if (line !== undefined) {
      for (const r of this.roots) if (r.kind === 'boot' && r.boot.boot.startLine <= line) boot = r;
    }
    if (!boot) return undefined;
    const kids = await this.getChildren(boot);
    return kids.find((k) => k.kind === 'leaks');
  }

  /** Appends the next page of reservations under a block (the "Show N more" item's command). */
  async showMore(more: TreeNode): Promise<void> {
    if (more.kind !== 'more') return;
    const scope = more.parent;
    const kids = this.children.get(scope.id);
    if (!kids) return;
    const shown = kids.filter((k) => k.kind === 'reservation');
    this.children.set(scope.id, await this.scopePage(scope, shown));
    this.changed.fire(scope);
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.kind === 'boot' ? undefined : element.parent;
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (!element) return this.roots;
    const cached = this.children.get(element.id);
    if (cached) return cached;
    const kids = await this.computeChildren(element);
    this.children.set(element.id, kids);
    return kids;
  }

  private async computeChildren(e: TreeNode): Promise<TreeNode[]> {
    const { analysis } = e;
    switch (e.kind) {
      case 'boot': {
        const out: TreeNode[] = e.boot.nodes.map((n) => ({ kind: 'node', id: `${e.id}/node${n.nid}`, parent: e, analysis, boot: e.boot, nid: n.nid }));
        out.push({ kind: 'leaks', id: `${e.id}/leaks`, parent: e, analysis, boot: e.boot });
        out.push({ kind: 'findings', id: `${e.id}/findings`, parent: e, analysis, boot: e.boot });
        return out;
      }
      case 'node': {
        const node = e.boot.nodes.find((n) => n.nid === e.nid);
        const blocks: TreeNode[] = (node?.blocks ?? []).map((b) => ({ kind: 'block', id: `${e.id}/${b.base}`, parent: e, analysis, boot: e.boot, nid: e.nid, base: BigInt(b.base), size: BigInt(b.size) }));
        const outside = await analysis.session.reservationPage(e.boot.boot.index, e.nid, { outside: true }, 0, 0);
        if (outside.total > 0) blocks.push({ kind: 'outside', id: `${e.id}/outside`, parent: e, analysis, boot: e.boot, nid: e.nid });
        return blocks;
      }
      case 'block':
      case 'outside':
        return this.scopePage(e, []);
      case 'leaks': {
        const out: TreeNode[] = [];
        for (const disposition of DISPOSITION_ORDER) {
          const leaks = e.boot.leaks.filter((l) => l.disposition === disposition);
          if (leaks.length === 0) continue;
          if (disposition === 'suspect') {
            for (const leak of leaks) out.push({ kind: 'leak', id: `${e.id}/l${leak.id}`, parent: e, analysis, leak });
          } else out.push({ kind: 'leakGroup', id: `${e.id}/${disposition}`, parent: e, analysis, disposition, leaks });
        }
        return out;
      }
      case 'leakGroup':
        return e.leaks.map((leak) => ({ kind: 'leak', id: `${e.id}/l${leak.id}`, parent: e, analysis, leak }));
      case 'findings':
        return e.boot.findings.map((finding) => ({ kind: 'finding', id: `${e.id}/f${finding.id}`, parent: e, analysis, finding }));
      default:
        return [];
    }
  }

  /** The reservations already shown under a block plus the next page, and a "more" item if any remain. */
  private async scopePage(e: ScopeNode, shown: TreeNode[]): Promise<TreeNode[]> {
    const scope: ReservationScope = e.kind === 'block' ? { block: { base: hexOf(e.base), size: hexOf(e.size) } } : { outside: true };
    const page = await e.analysis.session.reservationPage(e.boot.boot.index, e.nid, scope, shown.length, RESERVATION_PAGE);
    const kids = shown.concat(page.items.map((r): TreeNode => ({ kind: 'reservation', id: `${e.id}/r${r.id}`, parent: e, analysis: e.analysis, reservation: r })));
    const remaining = page.total - kids.length;
    if (remaining > 0) kids.push({ kind: 'more', id: `${e.id}/more${kids.length}`, parent: e, analysis: e.analysis, remaining });
    return kids;
  }

  getTreeItem(e: TreeNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const uri = e.analysis.uri;
    let item: vscode.TreeItem;
    switch (e.kind) {
      case 'boot': {
        const b = e.boot.boot;
        item = new vscode.TreeItem(`Boot ${b.index}${b.kernelVersion ? `: Linux ${clip(b.kernelVersion, 60)}` : ''}`, C.Expanded);
        item.description = `${baseName(uri)} · lines ${b.startLine}–${b.endLine} · ${b.eventCount} events`;
        item.iconPath = new vscode.ThemeIcon('debug-start');
        item.command = reveal(uri, b.startLine);
        break;
      }
      case 'node': {
        const node = e.boot.nodes.find((n) => n.nid === e.nid);
        const total = (node?.blocks ?? []).reduce((s, b) => s + BigInt(b.size), 0n);
        item = new vscode.TreeItem(`Node ${e.nid}`, C.Collapsed);
        item.description = node?.memoryless ? 'memoryless' : `${humanBytes(total)} · ${node?.blocks.length ?? 0} block${node?.blocks.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('server');
        break;
      }
      case 'block': {
        item = new vscode.TreeItem(`[mem 0x${e.base.toString(16)}-0x${(e.base + e.size - 1n).toString(16)}]`, C.Collapsed);
        item.description = humanBytes(e.size);
        item.iconPath = new vscode.ThemeIcon('symbol-array');
        break;
      }
      case 'outside':
        item = new vscode.TreeItem('Outside the node\u2019s blocks', C.Collapsed);
        item.iconPath = new vscode.ThemeIcon('question');
        break;
      case 'reservation': {
        const r = e.reservation;
        item = new vscode.TreeItem(clip(r.owner, 80), C.None);
        item.description = `${humanBytes(r.size)} at ${r.base}${r.caller ? ` · ${clip(r.caller, 60)}` : ''}${r.freed ? ' · freed' : ''}`;
        item.tooltip = `Line ${r.line}: ${clip(r.owner, 80)}, ${humanBytes(r.size)} at ${r.base}${r.caller ? `, by ${clip(r.caller, 80)}` : ''}${r.freed ? ' (freed before the hand-off)' : ''}`;
        item.iconPath = new vscode.ThemeIcon(r.freed ? 'circle-outline' : 'circle-filled');
        item.command = reveal(uri, r.line);
        item.contextValue = 'reservation';
        break;
      }
      case 'more': {
        const next = Math.min(e.remaining, RESERVATION_PAGE);
        item = new vscode.TreeItem(`Show ${next.toLocaleString('en-US')} more`, C.None);
        item.description = `${e.remaining.toLocaleString('en-US')} not shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: InternalCommands.treeShowMore, title: 'Show More', arguments: [e] };
        break;
      }
      case 'leaks': {
        const suspects = e.boot.leaks.filter((l) => l.disposition === 'suspect').length;
        item = new vscode.TreeItem('Leaks', suspects > 0 ? C.Expanded : C.Collapsed);
        item.description = `${suspects} suspect · ${e.boot.leaks.length} held at the hand-off`;
        item.iconPath = new vscode.ThemeIcon('warning');
        item.contextValue = 'leaks';
        break;
      }
      case 'leakGroup':
        item = new vscode.TreeItem(DISPOSITION_LABEL[e.disposition], C.Collapsed);
        item.description = String(e.leaks.length);
        break;
      case 'leak': {
        const l = e.leak;
        item = new vscode.TreeItem(clip(l.owner, 80), C.None);
        item.description = `${humanBytes(l.heldBytes)} · line ${l.line}${l.caller ? ` · ${clip(l.caller, 60)}` : ''}`;
        item.tooltip = `${DISPOSITION_LABEL[l.disposition]}: ${clip(l.why, 300)}`;
        item.iconPath = new vscode.ThemeIcon(l.disposition === 'suspect' ? 'warning' : 'lock');
        item.command = reveal(uri, l.line);
        break;
      }
      case 'findings': {
        item = new vscode.TreeItem('Findings', e.boot.findings.length > 0 ? C.Collapsed : C.None);
        item.description = String(e.boot.findings.length);
        item.iconPath = new vscode.ThemeIcon('checklist');
        break;
      }
      case 'finding': {
        const f = e.finding;
        item = new vscode.TreeItem(f.code, C.None);
        item.description = `line ${f.line} · ${clip(f.message, 100)}`;
        item.tooltip = clip(f.message, 1000);
        item.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info');
        item.command = reveal(uri, f.line);
        break;
      }
    }
    item.id = e.id;
    return item;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function hexOf(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** Opens the log at a 1-based line (selects it), keeping focus in the tree. */
function reveal(uri: vscode.Uri, line: number): vscode.Command {
  const l = Math.max(0, line - 1);
  const options: vscode.TextDocumentShowOptions = { selection: new vscode.Range(l, 0, l, 0), preserveFocus: true };
  return { title: 'Reveal Line', command: 'vscode.open', arguments: [uri, options] };
}
