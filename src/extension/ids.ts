// The one manifest of identifiers shared by the extension code, package.json and the tests.
// package.json cannot import this file, so test/vscode/suite/manifest.test.ts checks the two agree.

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'bootmem-lens.bootmem-lens';

/** The language contributed for kernel boot logs (dmesg, serial captures, kern.log). */
export const LANGUAGE_ID = 'bootlog';
export const LANGUAGE_NAME = 'Linux Boot Log';
export const GRAMMAR_SCOPE = 'text.bootlog';

/** Command palette category shared by every command. */
export const COMMAND_CATEGORY = 'Boot Memory';

/** Command ids (contributes.commands). */
export const Commands = {
  openMap: 'bootMemoryLens.openMap',
  goToMatching: 'bootMemoryLens.goToMatching',
  showLeaks: 'bootMemoryLens.showLeaks',
  exportAnalysis: 'bootMemoryLens.exportAnalysisJson',
  // Memory Map panel (forwarded to the active map as PanelAction; keybindings when it is focused).
  stepForward: 'bootMemoryLens.stepForward',
  stepBack: 'bootMemoryLens.stepBack',
  nextFinding: 'bootMemoryLens.nextFinding',
  previousFinding: 'bootMemoryLens.previousFinding',
  nextLeak: 'bootMemoryLens.nextLeak',
  start: 'bootMemoryLens.start',
  end: 'bootMemoryLens.end',
  exportSvg: 'bootMemoryLens.exportSvg',
  exportPng: 'bootMemoryLens.exportPng',
  whatIf: 'bootMemoryLens.whatIf',
  compareBoots: 'bootMemoryLens.compareBoots',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Commands the extension registers for its own UI (tree items); not contributed, not in the palette. */
export const InternalCommands = {
  treeShowMore: 'bootMemoryLens.tree.showMore',
} as const;

/** Command titles as package.json declares them (the palette shows "Boot Memory: <title>"). */
export const CommandTitles: Record<CommandId, string> = {
  [Commands.openMap]: 'Open Memory Map',
  [Commands.goToMatching]: 'Go to Matching Reserve/Free',
  [Commands.showLeaks]: 'Show Leaks',
  [Commands.exportAnalysis]: 'Export Analysis as JSON',
  [Commands.stepForward]: 'Map: Step Forward',
  [Commands.stepBack]: 'Map: Step Back',
  [Commands.nextFinding]: 'Map: Next Finding',
  [Commands.previousFinding]: 'Map: Previous Finding',
  [Commands.nextLeak]: 'Map: Next Leak',
  [Commands.start]: 'Map: Go to First Event',
  [Commands.end]: 'Map: Go to Last Event',
  [Commands.exportSvg]: 'Map: Export as SVG',
  [Commands.exportPng]: 'Map: Export as PNG',
  [Commands.whatIf]: 'What-if Replay…',
  [Commands.compareBoots]: 'Compare Boots…',
};

/** Webview panel view type; also the `onWebviewPanel:` activation event and `activeWebviewPanelId`. */
export const MAP_VIEW_TYPE = 'bootMemoryLens.map';

/** The "Boot Memory" activity bar container and its tree view (contributes.viewsContainers/views). */
export const VIEW_CONTAINER_ID = 'bootMemoryLens';
export const Views = {
  tree: 'bootMemoryLens.tree',
} as const;

/** Context keys set with `setContext` (used in `when` clauses of package.json). */
export const ContextKeys = {
  /** True while the active editor is a boot log that has been analysed. */
  activeLog: 'bootMemoryLens.activeLog',
  /** True while the Boot Memory tree has an analysed log to show (the view is hidden otherwise). */
  treeHasLog: 'bootMemoryLens.treeHasLog',
} as const;

/** Configuration section and keys (contributes.configuration), read as `section.key`. */
export const CONFIG_SECTION = 'bootMemoryLens';
export const Settings = {
  codeLensEnabled: 'codeLens.enabled',
  maxFileSizeMB: 'maxFileSizeMB',
  diagnosticsIncludeInfo: 'diagnostics.includeInfo',
  diagnosticsLeaks: 'diagnostics.leaks',
  analysisDebounceMs: 'analysis.debounceMs',
  openMapOnOpen: 'openMapOnOpen',
} as const;

/** Diagnostic `source` on every Problems entry. */
export const DIAGNOSTIC_SOURCE = 'Boot Memory Lens';
/** Diagnostic code of suspect leaks. */
export const LEAK_CODE = 'leak';
