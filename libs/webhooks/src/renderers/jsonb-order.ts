/**
 * JSON text with every object's keys in PostgreSQL's jsonb order: shorter keys first (length
 * in UTF-8 bytes), then bytewise. Zorio bodies were `JSON.stringify` of the payload as read
 * back from a jsonb column, so that order is what receivers have always got; rebuilding each
 * object from its sorted entries also keeps what JSON.parse did on the way (integer-like keys,
 * such as an X- header named "123", come first in any JavaScript object).
 */
export function jsonbOrderedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => compareJsonbKeys(a, b))) : v,
  );
}

export function compareJsonbKeys(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length - y.length || Buffer.compare(x, y);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
