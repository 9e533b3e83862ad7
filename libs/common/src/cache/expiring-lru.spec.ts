import { ExpiringLru } from './expiring-lru';

describe('ExpiringLru', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new ExpiringLru<string, number>(2, 1_000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('forgets entries after their time to live', () => {
    let now = 0;
    const cache = new ExpiringLru<string, number>(10, 100, () => now);
    cache.set('a', 1);
    now = 99;
    expect(cache.get('a')).toBe(1);
    now = 200;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const cache = new ExpiringLru<number, boolean>(1_000, 60_000);
    for (let i = 0; i < 50_000; i++) cache.set(i, false);
    expect(cache.size).toBe(1_000);
    expect(cache.get(49_999)).toBe(false);
  });
});
