// Small DOM builders shared by the panel's views. Text always goes through textContent: log text
// must never be parsed as HTML.

/** A span with a class and plain text. */
export function span(className: string, text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

/** A codicon; with a label it is an image for screen readers, without one it is hidden from them. */
export function icon(name: string, label?: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = `codicon codicon-${name}`;
  if (label) {
    s.setAttribute('role', 'img');
    s.setAttribute('aria-label', label);
  } else s.setAttribute('aria-hidden', 'true');
  return s;
}
