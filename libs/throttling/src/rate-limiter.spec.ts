import { MemoryCounterStore } from './counter-store';
import { enforce, RateLimiter } from './rate-limiter';
import { RedisCounterStore } from './redis-counter-store';

const policy = { name: 'test', limit: 3, windowMs: 60_000 };

function headersOf() {
  const headers: Record<string, unknown> = {};
  return { headers, response: { setHeader: (name: string, value: unknown) => (headers[name] = value) } as never };
}

describe('RateLimiter over memory counters', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => new MemoryCounterStore(() => now));

  it('allows the limit per window, then refuses until the window ends', async () => {
    for (let i = 1; i <= 3; i++)
      expect(await limiter.consume(policy, 'a')).toMatchObject({ allowed: true, remaining: 3 - i, resetSeconds: 60 });
    expect(await limiter.consume(policy, 'a')).toMatchObject({ allowed: false, remaining: 0 });
    // another subject has its own budget
    expect((await limiter.consume(policy, 'b')).allowed).toBe(true);
    now += 30_000;
    expect(await limiter.consume(policy, 'a')).toMatchObject({ allowed: false, resetSeconds: 30 });
    now += 30_000;
    expect(await limiter.consume(policy, 'a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('a refund gives one request back', async () => {
    for (let i = 0; i < 3; i++) await limiter.consume(policy, 'c');
    await limiter.refund(policy, 'c');
    expect((await limiter.consume(policy, 'c')).allowed).toBe(true);
    expect((await limiter.consume(policy, 'c')).allowed).toBe(false);
  });

  it('enforce sets the RateLimit headers and throws rate_limited with Retry-After', async () => {
    const ok = headersOf();
    enforce({ policy, allowed: true, remaining: 2, resetSeconds: 60 }, ok.response);
    expect(ok.headers).toEqual({
      'RateLimit-Policy': '3;w=60',
      'RateLimit-Limit': 3,
      'RateLimit-Remaining': 2,
      'RateLimit-Reset': 60,
    });
    const refused = headersOf();
    expect(() => enforce({ policy, allowed: false, remaining: 0, resetSeconds: 12 }, refused.response)).toThrow(
      expect.objectContaining({ code: 'rate_limited' }),
    );
    expect(refused.headers['Retry-After']).toBe(12);
  });
});

describe('MemoryCounterStore', () => {
  it('stays bounded under a flood of distinct keys', async () => {
    const store = new MemoryCounterStore();
    for (let i = 0; i < 150_000; i++) store.hitNow(`k${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(100_000);
    // the newest window survives the eviction: a second hit counts 2
    expect(store.hitNow('k149999', 60_000).count).toBe(2);
  });
});

describe('RedisCounterStore when Redis does not answer', () => {
  it('counts in this process, reports it once per change of state, and never throws', async () => {
    const states: boolean[] = [];
    let fallbackHits = 0;
    const limiter = new RateLimiter((report) => new RedisCounterStore('redis://127.0.0.1:9', report, 100));
    limiter.observe({
      throttled: () => undefined,
      fallbackHit: () => fallbackHits++,
      redisUp: (up) => states.push(up),
    });
    try {
      for (let i = 1; i <= 3; i++) expect((await limiter.consume(policy, 'x')).allowed).toBe(true);
      expect((await limiter.consume(policy, 'x')).allowed).toBe(false);
      expect(fallbackHits).toBe(4);
      expect(states).toEqual([false]);
    } finally {
      await limiter.onModuleDestroy();
    }
  });
});
