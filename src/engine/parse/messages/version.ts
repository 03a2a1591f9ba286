// Kernel versions as comparable numbers: 3.13 -> 3013, 6.1 -> 6001. Only major.minor matter for
// the format eras the recognizers care about.

let lastText: string | undefined;
let lastCode: number | undefined;

/** `major*1000 + minor` of a `Linux version` string such as "6.1.0-56-amd64"; undefined when unreadable. */
export function versionCode(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === lastText) return lastCode; // the reader hands the same string for a whole boot
  const m = /^(\d+)\.(\d+)/.exec(text);
  lastText = text;
  lastCode = m ? Number(m[1]) * 1000 + Number(m[2]) : undefined;
  return lastCode;
}

export function v(major: number, minor: number): number {
  return major * 1000 + minor;
}
