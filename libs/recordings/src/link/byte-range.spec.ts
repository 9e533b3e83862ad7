import { parseByteRange } from './byte-range';

describe('parseByteRange', () => {
  const part = (start: number, end: number) => ({ kind: 'part', start, end });

  it('answers the whole file without a usable Range', () => {
    for (const header of [undefined, '', 'items=0-1', 'bytes=', 'bytes=-', 'bytes=abc', 'bytes=1-2-3', 'bytes=5-2'])
      expect({ header, range: parseByteRange(header, 100) }).toEqual({ header, range: { kind: 'whole' } });
  });

  it('answers several ranges with the whole file', () => {
    expect(parseByteRange('bytes=0-1,5-9', 100)).toEqual({ kind: 'whole' });
    expect(parseByteRange('bytes=0-1, -5', 100)).toEqual({ kind: 'whole' });
  });

  it('gives a-b, a- and cuts an end past the file', () => {
    expect(parseByteRange('bytes=0-0', 100)).toEqual(part(0, 0));
    expect(parseByteRange('bytes=10-19', 100)).toEqual(part(10, 19));
    expect(parseByteRange('BYTES = 10-19', 100)).toEqual(part(10, 19));
    expect(parseByteRange('bytes=90-', 100)).toEqual(part(90, 99));
    expect(parseByteRange('bytes=90-500', 100)).toEqual(part(90, 99));
    expect(parseByteRange('bytes=0-99999999999999999999', 100)).toEqual(part(0, 99));
  });

  it('gives suffix ranges, a suffix longer than the file being all of it', () => {
    expect(parseByteRange('bytes=-1', 100)).toEqual(part(99, 99));
    expect(parseByteRange('bytes=-10', 100)).toEqual(part(90, 99));
    expect(parseByteRange('bytes=-1000', 100)).toEqual(part(0, 99));
  });

  it('refuses a first byte at or past the end, a zero suffix and any range of an empty file', () => {
    expect(parseByteRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=99999999999999999999-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});
