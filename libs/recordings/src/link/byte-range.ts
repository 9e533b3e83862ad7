/** What a `Range` header asks of a file of `size` bytes (RFC 9110 §14). */
export type ByteRange =
  /** no usable Range: the whole file, 200 */
  | { readonly kind: 'whole' }
  /** bytes start..end inclusive, 206 with `Content-Range: bytes start-end/size` */
  | { readonly kind: 'part'; readonly start: number; readonly end: number }
  /** 416 with `Content-Range: bytes *\/size` */
  | { readonly kind: 'unsatisfiable' };

const WHOLE: ByteRange = { kind: 'whole' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
const SPEC = /^(\d*)-(\d*)$/;

/**
 * The one range a recording link answers. `bytes=a-b`, `bytes=a-` and the suffix `bytes=-n`
 * give one part (an end past the file is cut to its last byte, a suffix longer than the file is
 * the whole file, as a part); a first byte at or past the end, or `-0`, is unsatisfiable. What
 * the server may ignore is answered whole: no header, another unit, a syntax error (`b < a`
 * included), and several ranges (`bytes=0-1,5-9`: one 200 rather than a multipart answer).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return WHOLE;
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!match) return WHOLE;
  const specs = match[1].split(',').map((spec) => spec.trim());
  if (specs.length !== 1) return WHOLE;
  const parts = SPEC.exec(specs[0]);
  if (!parts) return WHOLE;
  const [, first, last] = parts;
  if (first === '' && last === '') return WHOLE;
  // digits beyond what a file can have: a number so large it is past any end
  const number = (digits: string) => (digits.length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits));
  if (first === '') {
    const length = number(last);
    if (length === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'part', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = number(first);
  const end = last === '' ? size - 1 : number(last);
  if (last !== '' && end < start) return WHOLE;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
