import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startTestApi, TestApi } from '../harness/api';
import { metricValue, rawRequest } from '../harness/raw-http';

/**
 * The API's front door as an attacker tries it, from outside over HTTP: budgets that must not
 * reset by spelling, floods of made-up tokens that must not reach the database, and the
 * defaults an operator relies on (the test environment raises some budgets; these tests use
 * the shipped defaults unless they say otherwise).
 */
describe('API abuse: throttling by token identity, limits before authentication', () => {
  let api: TestApi;
  let base: string;
  const DEFAULTS = { RATE_LIMIT_PER_TOKEN: '', RATE_LIMIT_UNAUTHENTICATED: '', RATE_LIMIT_PUBLIC: '' };

  beforeAll(async () => {
    api = await startTestApi(DEFAULTS);
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => api?.close());

  const made = () => `pbx_${randomBytes(32).toString('base64url')}`;
  const lookups = async () =>
    metricValue((await rawRequest(`${base}/metrics`, { from: '127.0.0.9' })).text, 'pbx_token_lookups_total');
  const invalidCall = { from_extension: 'x', to_phone: 'y' };

  it('Bearer, bearer and BEARER spend one click-to-call budget', async () => {
    const token = await api.newToken();
    const spellings = ['Bearer', 'bearer', 'BEARER', 'bEaReR'];
    for (let i = 0; i < 10; i++) {
      const answer = await rawRequest(`${base}/api/pbx/calls/click-to-call`, {
        method: 'POST',
        body: invalidCall,
        headers: { authorization: `${spellings[i % 4]} ${token}` },
      });
      expect(answer.status).toBe(422);
      expect(answer.headers['ratelimit-remaining']).toBe(String(9 - i));
    }
    for (const spelling of spellings) {
      const answer = await rawRequest(`${base}/api/pbx/calls/click-to-call`, {
        method: 'POST',
        body: invalidCall,
        headers: { authorization: `${spelling} ${token}` },
      });
      expect([spelling, answer.status]).toEqual([spelling, 429]);
      expect((answer.json as { error: { code: string } }).error.code).toBe('rate_limited');
    }
  });

  it('600 a minute per token across every route but click-to-call, not per route', async () => {
    const token = await api.newToken(['admin']);
    const routes = [
      '/api/pbx/extensions',
      '/api/pbx/trunks',
      '/api/pbx/caller-ids',
      '/api/pbx/routes',
      '/api/pbx/tokens',
      '/api/pbx/webhooks',
    ];
    let first429 = 0;
    for (let i = 1; i <= 601 && first429 === 0; i++) {
      const answer = await api.get(routes[i % routes.length], token);
      if (answer.status === 429) first429 = i;
      else expect(answer.status).toBe(200);
    }
    expect(first429).toBe(601);
    // click-to-call has its own budget
    await api.post('/api/pbx/calls/click-to-call', invalidCall, token).expect(422);
  });

  it('a flood of made-up well-formed tokens from one address gets 429 after 60, with no lookup past the limit and no 5xx', async () => {
    const before = await lookups();
    const statuses: number[] = [];
    // 300 in waves of 30 at once: the reservation is taken before the lookup, so concurrency does not leak lookups
    for (let wave = 0; wave < 10; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 30 }, () =>
          rawRequest(`${base}/api/pbx/extensions`, {
            from: '127.0.0.2',
            headers: { authorization: `Bearer ${made()}` },
          }),
        ),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(240);
    expect(await lookups()).toBe(before + 60);
    // another address is not punished for it; a valid token from the flooded address still works once verified elsewhere
    await api.get('/api/pbx/extensions').expect(200);
    expect(
      (
        await rawRequest(`${base}/api/pbx/extensions`, {
          from: '127.0.0.3',
          headers: { authorization: `Bearer ${made()}` },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await rawRequest(`${base}/api/pbx/extensions`, {
          from: '127.0.0.2',
          headers: { authorization: `Bearer ${api.adminToken}` },
        })
      ).status,
    ).toBe(200);
  });

  it('tokens not of the generated shape are refused without a lookup; a repeated unknown token is looked up once', async () => {
    const before = await lookups();
    const malformed = [
      'short',
      'pbx_tooShort',
      `pbx_${'A'.repeat(44)}`,
      `PBX_${'A'.repeat(43)}`,
      `xyz_${'A'.repeat(43)}`,
      `pbx_${'A'.repeat(42)}$`,
      `${'A'.repeat(200)}`,
    ];
    for (const token of malformed) {
      const answer = await rawRequest(`${base}/api/pbx/extensions`, {
        from: '127.0.0.4',
        headers: { authorization: `Bearer ${token}` },
      });
      expect([token, answer.status]).toEqual([token, 401]);
    }
    const unknown = made();
    for (let i = 0; i < 5; i++)
      expect(
        (
          await rawRequest(`${base}/api/pbx/extensions`, {
            from: '127.0.0.4',
            headers: { authorization: `Bearer ${unknown}` },
          })
        ).status,
      ).toBe(401);
    expect(await lookups()).toBe(before + 1);
  });

  it('missing tokens spend the address budget too, and X-Forwarded-For is not believed (TRUST_PROXY off)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) {
      const answer = await rawRequest(`${base}/api/pbx/extensions`, {
        from: '127.0.0.5',
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(60).every((s) => s === 429)).toBe(true);
  });

  it('/health and /metrics have a budget per address (600 a minute) that monitoring does not exhaust', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => rawRequest(`${base}/health`, { from: '127.0.0.6' })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers[0].headers['ratelimit-limit']).toBe('600');
  });
});

describe('TRUST_PROXY: X-Forwarded-For from a trusted proxy names the client', () => {
  let api: TestApi;
  let base: string;

  beforeAll(async () => {
    api = await startTestApi({ RATE_LIMIT_UNAUTHENTICATED: '3', TRUST_PROXY: '127.0.0.7/32' });
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => api?.close());

  it('clients behind the proxy have their own budgets; a client not behind it cannot choose its address', async () => {
    const viaProxy = (client: string) =>
      rawRequest(`${base}/api/pbx/extensions`, { from: '127.0.0.7', headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 3; i++) expect((await viaProxy('203.0.113.1')).status).toBe(401);
    expect((await viaProxy('203.0.113.1')).status).toBe(429);
    expect((await viaProxy('203.0.113.2')).status).toBe(401);
    const direct = (client: string) =>
      rawRequest(`${base}/api/pbx/extensions`, { from: '127.0.0.8', headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 3; i++) expect((await direct(`203.0.113.${10 + i}`)).status).toBe(401);
    expect((await direct('203.0.113.99')).status).toBe(429);
  });
});
