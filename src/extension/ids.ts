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
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Command titles as package.json declares them (the palette shows "Boot Memory: <title>"). */
export const CommandTitles: Record<CommandId, string> = {
  [Commands.openMap]: 'Open Memory Map',
};

/** Webview panel view type; also the `onWebviewPanel:` activation event and `activeWebviewPanelId`. */
export const MAP_VIEW_TYPE = 'bootMemoryLens.map';
