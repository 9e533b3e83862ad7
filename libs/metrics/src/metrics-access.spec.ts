import { metricsScrapeAllowed } from './metrics-access';

describe('metricsScrapeAllowed', () => {
  it('is open without METRICS_TOKEN', () => {
    expect(metricsScrapeAllowed(undefined, undefined)).toBe(true);
  });

  it('needs the exact bearer token when METRICS_TOKEN is set', () => {
    const token = 'metrics-token-0123456789';
    expect(metricsScrapeAllowed(token, `Bearer ${token}`)).toBe(true);
    expect(metricsScrapeAllowed(token, `bearer ${token}`)).toBe(true);
    expect(metricsScrapeAllowed(token, undefined)).toBe(false);
    expect(metricsScrapeAllowed(token, `Bearer ${token}x`)).toBe(false);
    expect(metricsScrapeAllowed(token, `Basic ${token}`)).toBe(false);
    expect(metricsScrapeAllowed(token, 'Bearer ')).toBe(false);
  });
});
