// String helpers for hot loops over log lines.

/** Up to this length, comparing characters inline beats calling indexOf. */
const SHORT_WORD = 4;

/**
 * `text.startsWith(word, at)` for the hot paths. Log lines are slices of a larger decoded string,
 * and V8's startsWith compares such indirect strings only in a runtime call, which costs more than
 * the comparison itself (a charCodeAt loop is not much cheaper). indexOf reads slices natively and,
 * when the word is at `at`, stops there; the first character is compared inline so that the usual
 * mismatch costs nothing (a partial match costs a scan of the rest of the line).
 */
export function hasAt(text: string, at: number, word: string): boolean {
  if (word.length <= SHORT_WORD) return hasShortAt(text, at, word);
  return text.charCodeAt(at) === word.charCodeAt(0) && text.indexOf(word, at) === at;
}

function hasShortAt(text: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}
