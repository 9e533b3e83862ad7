import { matchInboundRoute, normalizeDid } from './inbound-route-match';

describe('normalizeDid', () => {
  it('strips exactly one leading +', () => {
    expect(normalizeDid('+842812345')).toBe('842812345');
    expect(normalizeDid('842812345')).toBe('842812345');
    expect(normalizeDid('++842812345')).toBe('+842812345');
    expect(normalizeDid('')).toBe('');
    expect(normalizeDid('+')).toBe('');
  });
});

describe('matchInboundRoute', () => {
  const TRUNK = 4;
  const OTHER = 7;
  const route = (id: number, did: string, trunkId: number | null) => ({ id, did, trunkId });
  const all = [
    route(1, '', null), // any number, any trunk
    route(2, '', TRUNK), // any number on the trunk
    route(3, '842812345', null), // the DID on any trunk
    route(4, '+842812345', TRUNK), // the DID on the trunk, written with +
    route(5, '842899999', OTHER), // another DID on another trunk
  ];
  const match = (routes: typeof all, did: string, trunkId = TRUNK) => matchInboundRoute(routes, did, trunkId)?.id;

  it('takes the DID on that trunk first', () => {
    expect(match(all, '842812345')).toBe(4);
    expect(match(all, '+842812345')).toBe(4);
  });

  it('then the DID on any trunk', () => {
    const without = all.filter((r) => r.id !== 4);
    expect(match(without, '+842812345')).toBe(3);
    // the DID on the trunk is still the route of calls on that trunk; others take the any-trunk one
    expect(match(all, '842812345', OTHER)).toBe(3);
  });

  it("then '' on that trunk, then '' on any trunk", () => {
    expect(match(all, '0000')).toBe(2);
    expect(match(all, '0000', OTHER)).toBe(1);
    expect(
      match(
        all.filter((r) => r.id !== 2),
        '0000',
      ),
    ).toBe(1);
  });

  it('prefers a DID on any trunk over any number on that trunk', () => {
    expect(match([route(2, '', TRUNK), route(3, '842812345', null)], '842812345')).toBe(3);
  });

  it('never takes a route of another trunk', () => {
    expect(match([route(5, '842899999', OTHER)], '842899999')).toBeUndefined();
    expect(match([route(6, '', OTHER)], '842899999')).toBeUndefined();
    expect(match(all, '842899999')).toBe(2);
  });

  it('compares with ONE leading + stripped, on either side', () => {
    expect(match([route(3, '842812345', null)], '+842812345')).toBe(3);
    expect(match([route(3, '+842812345', null)], '842812345')).toBe(3);
    // two pluses are not the number
    expect(match([route(3, '842812345', null)], '++842812345')).toBeUndefined();
    // an empty DID (or a lone +) is "any number" only through '' routes
    expect(match([route(3, '842812345', null)], '')).toBeUndefined();
    expect(match([route(1, '', null)], '+')).toBe(1);
  });

  it('matches whole numbers, not prefixes', () => {
    expect(match([route(3, '8428', null)], '842812345')).toBeUndefined();
    expect(match([route(3, '842812345', null)], '8428')).toBeUndefined();
  });

  it('is null when nothing matches, and does not depend on the order of the list', () => {
    expect(matchInboundRoute([], '842812345', TRUNK)).toBeNull();
    for (let i = 0; i < all.length; i++) {
      const rotated = [...all.slice(i), ...all.slice(0, i)];
      for (const order of [rotated, [...rotated].reverse()]) {
        expect(match(order, '842812345')).toBe(4);
        expect(match(order, '1')).toBe(2);
      }
    }
  });
});
