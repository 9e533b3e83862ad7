/** Does `pattern` (digits, +, X = any digit) match the start of `number`? */
export function matchesPrefix(pattern: string, number: string): boolean {
  if (pattern.length > number.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === 'X' ? !/[0-9]/.test(number[i]) : p !== number[i]) return false;
  }
  return true;
}

/** Longer patterns first; at equal length, fewer wildcards (more literal digits) first. */
export function compareSpecificity(a: string, b: string): number {
  if (a.length !== b.length) return b.length - a.length;
  const wild = (p: string) => [...p].filter((c) => c === 'X').length;
  return wild(a) - wild(b);
}

export function dialNumber(toPhone: string, strip: number, prepend: string): string {
  return prepend + toPhone.slice(strip);
}
