import { compareJsonbKeys, jsonbOrderedJson } from './jsonb-order';

describe('jsonb key order', () => {
  it('puts shorter keys first, then orders bytewise (upper case before lower case)', () => {
    expect(['type', 'id', 'call', 'a', 'Z', 'leg'].sort(compareJsonbKeys)).toEqual([
      'Z',
      'a',
      'id',
      'leg',
      'call',
      'type',
    ]);
  });

  it('measures keys in UTF-8 bytes, as PostgreSQL does', () => {
    // "é" is two bytes: as long as "ab", and after it bytewise; "z" is shorter than both
    expect(['é', 'ab', 'z'].sort(compareJsonbKeys)).toEqual(['z', 'ab', 'é']);
  });

  it('orders nested objects, leaves arrays in their order, keeps values as JSON.stringify writes them', () => {
    expect(jsonbOrderedJson({ bb: [{ y: 1, x: null }, 'é"'], a: { ccc: true, d: 1.5 } })).toBe(
      '{"a":{"d":1.5,"ccc":true},"bb":[{"x":null,"y":1},"é\\""]}',
    );
  });

  it('keeps what JSON.parse of jsonb text did: integer-like keys first, ascending', () => {
    expect(jsonbOrderedJson({ Zz: 'z', '123': 'n', '9': 'm', a: '' })).toBe('{"9":"m","123":"n","a":"","Zz":"z"}');
  });
});
