import { startTestApi, TestApi } from './harness/api';

/** 10 click-to-call requests a minute per token, valid or not; other tokens keep their budget. */
describe('click-to-call throttling', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => api?.close());

  const invalid = { from_extension: 'x', to_phone: 'y' };

  it('the 11th request in a minute from one token gets 429 with Retry-After and RateLimit headers', async () => {
    const token = await api.newToken();
    for (let i = 1; i <= 10; i++) {
      const response = await api.post('/api/pbx/calls/click-to-call', invalid, token).expect(422);
      expect(response.headers['ratelimit-limit']).toBe('10');
      expect(response.headers['ratelimit-remaining']).toBe(String(10 - i));
    }
    const throttled = await api.post('/api/pbx/calls/click-to-call', invalid, token).expect(429);
    expect(throttled.body.error.code).toBe('rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.headers['ratelimit-remaining']).toBe('0');

    // another token still has its budget; admin routes are another group
    const other = await api.newToken();
    await api.post('/api/pbx/calls/click-to-call', invalid, other).expect(422);
    await api.get('/api/pbx/caller-ids', token).expect(200);
  });

  it('shares one budget across API replicas through Redis (REDIS_URL)', async () => {
    const replicaA = await startTestApi({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const replicaB = await startTestApi({ REDIS_URL: 'redis://127.0.0.1:6379' });
    try {
      const token = await replicaA.newToken();
      for (let i = 0; i < 5; i++) await replicaA.post('/api/pbx/calls/click-to-call', invalid, token).expect(422);
      for (let i = 0; i < 5; i++) await replicaB.post('/api/pbx/calls/click-to-call', invalid, token).expect(422);
      await replicaA.post('/api/pbx/calls/click-to-call', invalid, token).expect(429);
      await replicaB.post('/api/pbx/calls/click-to-call', invalid, token).expect(429);
    } finally {
      await replicaA.close();
      await replicaB.close();
    }
  });
});
