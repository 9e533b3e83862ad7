import { Backoff } from './backoff';

describe('Backoff', () => {
  it('grows exponentially with jitter, caps, and resets after success', () => {
    const backoff = new Backoff(100, 1_000);
    const first = backoff.next();
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    for (let i = 0; i < 10; i++) backoff.next();
    const capped = backoff.next();
    expect(capped).toBeGreaterThanOrEqual(500);
    expect(capped).toBeLessThanOrEqual(1_000);
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(100);
  });
});
