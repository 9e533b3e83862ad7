import { HealthService } from './health.service';

describe('HealthService', () => {
  it('asks the database at most once per cache period, however many ask', async () => {
    let queries = 0;
    const dataSource = { isInitialized: true, query: async () => (queries++, [{ '?column?': 1 }]) };
    const health = new HealthService(dataSource as never, { connected: true } as never, { connected: true } as never);
    const reports = await Promise.all(Array.from({ length: 50 }, () => health.report()));
    expect(reports.every((r) => r.status === 'ok')).toBe(true);
    for (let i = 0; i < 50; i++) await health.report();
    expect(queries).toBe(1);
  });

  it('names what is down', async () => {
    const dataSource = { isInitialized: true, query: async () => Promise.reject(new Error('down')) };
    const health = new HealthService(dataSource as never, { connected: false } as never, { connected: true } as never);
    expect(await health.report()).toEqual({
      status: 'unavailable',
      checks: { database: 'down', ami: 'down', ari: 'up' },
      down: ['database', 'ami'],
    });
  });
});
