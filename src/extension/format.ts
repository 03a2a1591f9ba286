// Small formatting helpers shared by the host-side features (no `vscode` import).
import { humanSize } from '../engine/util/hex';

/** "4 KiB", "1.5 GiB" for a byte count given as bigint or a "0x…" hex string from the session. */
export function humanBytes(value: bigint | string): string {
  if (typeof value === 'bigint') return humanSize(value);
  try {
    return humanSize(BigInt(value));
  } catch {
    return value;
  }
}

/** Shortens untrusted log text for labels (tree items, status bar tooltips). */
export function clip(text: string, max = 120): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return oneLine.length > max ? oneLine.slice(0, max - 1) + '…' : oneLine;
}

/**
 * Escapes untrusted text (log lines, callers, owners) for a MarkdownString: HTML-significant
 * characters become entities and Markdown punctuation is backslash-escaped, so the text renders
 * literally and can neither inject HTML nor links/images/formatting. Newlines become spaces.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-!~|:.]/g, '\\$&');
}
