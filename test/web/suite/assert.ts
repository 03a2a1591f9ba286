// The few assertions the web suite needs. node:assert does not exist in the web worker extension
// host, and this bundle may import nothing but `vscode` at run time.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) throw new AssertionError(message ?? `expected a truthy value, got ${show(value)}`);
}

export function equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
}

export function notEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected anything but ${show(expected)}`);
}

/** Deep equality of JSON-like values (plain objects, arrays, primitives). */
export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${e}, got ${a}`);
}

export function match(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(actual)} to match ${pattern}`);
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
