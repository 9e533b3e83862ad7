import { backoffMs, judge } from './retry-policy';
import { DEFAULT_WEBHOOK_OPTIONS } from './webhook-options';

describe('retry policy', () => {
  const options = DEFAULT_WEBHOOK_OPTIONS;
  const HOUR = 3_600_000;

  it('doubles the ceiling from 5 s and caps it at 1 h, with full jitter below it', () => {
    const ceiling = (attempt: number) => backoffMs(attempt, options, () => 1 - Number.EPSILON) + 1;
    expect(ceiling(1)).toBe(5_000);
    expect(ceiling(2)).toBe(10_000);
    expect(ceiling(5)).toBe(80_000);
    expect(ceiling(10)).toBe(2_560_000);
    expect(ceiling(11)).toBe(HOUR);
    expect(ceiling(10_000)).toBe(HOUR);
    expect(backoffMs(3, options, () => 0)).toBe(0);
    for (let i = 0; i < 200; i++) {
      const delay = backoffMs(4, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(40_000);
    }
  });

  it('a 2xx succeeds', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(judge({ kind: 'response', status, body: null }, { number: 1, elapsedMs: 0 }, options)).toEqual({
        kind: 'succeeded',
      });
    }
  });

  it('anything else is retried while the 24 h window is open', () => {
    const results = [
      { kind: 'response' as const, status: 500, body: 'oops' },
      { kind: 'response' as const, status: 301, body: null },
      { kind: 'response' as const, status: 404, body: null },
      { kind: 'response' as const, status: 429, body: null },
      { kind: 'error' as const, error: 'timed out after 10000 ms' },
    ];
    for (const result of results) {
      const verdict = judge(result, { number: 3, elapsedMs: 23 * HOUR }, options, () => 0.5);
      expect(verdict).toEqual({ kind: 'retry', delayMs: 10_000 });
    }
  });

  it('gives up once a failure comes 24 h or more after the first attempt', () => {
    const verdict = judge(
      { kind: 'error', error: 'connect ECONNREFUSED' },
      { number: 40, elapsedMs: 24 * HOUR },
      options,
    );
    expect(verdict).toEqual({ kind: 'failed', gone: false, reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('410 Gone stops at once and turns the subscription off', () => {
    expect(judge({ kind: 'response', status: 410, body: null }, { number: 1, elapsedMs: 0 }, options)).toEqual({
      kind: 'failed',
      gone: true,
      reason: expect.stringContaining('410'),
    });
  });
});
