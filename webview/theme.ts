// Colours for the canvas, resolved from CSS custom properties (style.css maps them to --vscode-*
// theme colours), re-read when VS Code switches theme (it changes the body class and the variables).

/** Owners with a fixed palette slot (style.css defines --bml-owner-<key> for each). */
export const KNOWN_OWNERS = [
  'kernel-image',
  'initrd',
  'device-tree',
  'acpi',
  'firmware',
  'efi',
  'crashkernel',
  'cma',
  'dt-reserved',
  'setup-data',
  'swiotlb',
  'page-tables',
  'memmap',
  'percpu',
  'node-data',
  'log-buffer',
  'memblock-array',
  'real-mode',
  'bios',
  'kasan',
  'hugetlb',
  'other',
  'unknown',
] as const;

const EXTRA_SLOTS = 8;

/** The CSS variable holding an owner's colour (unknown keys hash into 8 extra slots). */
export function ownerVar(owner: string | undefined): string {
  const key = owner ?? 'unknown';
  if ((KNOWN_OWNERS as readonly string[]).includes(key)) return `--bml-owner-${key}`;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return `--bml-extra-${h % EXTRA_SLOTS}`;
}

export interface Theme {
  kind: 'light' | 'dark' | 'hc-dark' | 'hc-light';
  fg: string;
  muted: string;
  bg: string;
  panelBg: string;
  border: string;
  focus: string;
  freeBg: string;
  freeLine: string;
  fwBg: string;
  fwLine: string;
  absentLine: string;
  gapBg: string;
  gapLine: string;
  changed: string;
  selection: string;
  fontFamily: string;
  monoFamily: string;
  fontSize: number;
  owner(key: string | undefined): string;
}

function readVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const cls = document.body.classList;
  const kind: Theme['kind'] = cls.contains('vscode-high-contrast-light')
    ? 'hc-light'
    : cls.contains('vscode-high-contrast')
      ? 'hc-dark'
      : cls.contains('vscode-light')
        ? 'light'
        : 'dark';
  const cache = new Map<string, string>();
  const fontSize = parseFloat(readVar(style, '--vscode-font-size', '13px')) || 13;
  return {
    kind,
    fg: readVar(style, '--bml-fg', '#cccccc'),
    muted: readVar(style, '--bml-muted', '#9d9d9d'),
    bg: readVar(style, '--bml-bg', '#1f1f1f'),
    panelBg: readVar(style, '--bml-panel-bg', '#181818'),
    border: readVar(style, '--bml-border', '#454545'),
    focus: readVar(style, '--bml-focus', '#0078d4'),
    freeBg: readVar(style, '--bml-free-bg', 'rgba(80,160,80,0.12)'),
    freeLine: readVar(style, '--bml-free-line', 'rgba(80,160,80,0.6)'),
    fwBg: readVar(style, '--bml-fw-bg', 'rgba(128,128,128,0.18)'),
    fwLine: readVar(style, '--bml-fw-line', 'rgba(128,128,128,0.7)'),
    absentLine: readVar(style, '--bml-absent-line', 'rgba(128,128,128,0.5)'),
    gapBg: readVar(style, '--bml-gap-bg', '#252526'),
    gapLine: readVar(style, '--bml-gap-line', '#6e6e6e'),
    changed: readVar(style, '--bml-changed', '#f9c513'),
    selection: readVar(style, '--bml-selection', '#0078d4'),
    fontFamily: readVar(style, '--vscode-font-family', 'system-ui, sans-serif'),
    monoFamily: readVar(style, '--vscode-editor-font-family', 'monospace'),
    fontSize,
    owner(key) {
      const name = ownerVar(key);
      let c = cache.get(name);
      if (!c) {
        c = readVar(style, name, '#888888');
        cache.set(name, c);
      }
      return c;
    },
  };
}

/** Black or white text, whichever reads better on a colour (for labels inside owner-coloured blocks). */
export function textOn(color: string): string {
  const rgb = parseColor(color);
  if (!rgb) return '#000000';
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.22 ? '#000000' : '#ffffff';
}

let probe: CanvasRenderingContext2D | null | undefined;

export function parseColor(color: string): [number, number, number] | undefined {
  const m = /^#([0-9a-f]{3,8})$/i.exec(color.trim());
  if (m) {
    let h = m[1];
    if (h.length === 3 || h.length === 4) h = h.slice(0, 3).split('').map((c) => c + c).join('');
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(color.trim());
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  // Named or other formats: let a canvas normalise it.
  if (probe === undefined) probe = document.createElement('canvas').getContext('2d');
  if (!probe) return undefined;
  probe.fillStyle = '#000';
  probe.fillStyle = color;
  const norm = String(probe.fillStyle);
  return norm.startsWith('#') || norm.startsWith('rgb') ? (norm === color ? undefined : parseColor(norm)) : undefined;
}

/** Colour for a timeline kind (the overview strip and row markers; rows also carry an icon). */
export function kindVar(kind: string): string {
  return `--bml-kind-${kind}`;
}
