import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { startTestApi, TestApi } from '../harness/api';
import { waitUntil } from '../harness/sip-peer';
import { metricValue, rawRequest } from '../harness/raw-http';

const urlOf = (api: TestApi) => `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Redis of this test's own, so stopping it touches nothing else on the machine. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitUntil(
    () =>
      new Promise<boolean>((resolve) => {
        const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
        probe.on('exit', (code) => resolve(code === 0));
      }),
    10_000,
    'redis up',
  );
  return child;
}

describe('API under failing dependencies: Redis down, pool exhausted', () => {
  it('Redis stopped mid-run: no 500, counting falls back to the process with a metric, and comes back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const api = await startTestApi({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PER_TOKEN: '' });
    try {
      const token = await api.newToken(['admin']);
      await api.get('/api/pbx/extensions', token).expect(200);
      redis.kill('SIGKILL');
      await new Promise((resolve) => redis.once('exit', resolve));
      const statuses = new Set<number>();
      for (let i = 0; i < 30; i++) statuses.add((await api.get('/api/pbx/extensions', token)).status);
      for (let i = 0; i < 12; i++)
        statuses.add(
          (await api.post('/api/pbx/calls/click-to-call', { from_extension: 'x', to_phone: 'y' }, token)).status,
        );
      // the click-to-call budget still holds while counted per process
      expect([...statuses].sort()).toEqual([200, 422, 429]);
      const page = (await api.http().get('/metrics').expect(200)).text;
      expect(metricValue(page, 'pbx_rate_limit_fallback_total')).toBeGreaterThanOrEqual(42);
      expect(metricValue(page, 'pbx_rate_limit_redis_up')).toBe(0);

      redis = await startRedis(port);
      await waitUntil(
        async () =>
          (await api.get('/api/pbx/extensions', token)).status === 200 &&
          metricValue((await api.http().get('/metrics')).text, 'pbx_rate_limit_redis_up') === 1,
        15_000,
        'Redis counted again',
      );
    } finally {
      await api.close();
      redis.kill('SIGKILL');
    }
  });

  it('pool exhausted: 503 with Retry-After within DB_POOL_ACQUIRE_TIMEOUT_MS, and recovery', async () => {
    const api = await startTestApi({ DB_POOL_SIZE: '2', DB_POOL_ACQUIRE_TIMEOUT_MS: '300' });
    const db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    try {
      await api.get('/api/pbx/extensions').expect(200); // the admin token is now cached
      await db.query('BEGIN');
      await db.query('LOCK TABLE extensions IN ACCESS EXCLUSIVE MODE');
      // two requests wait on the lock, each holding one of the two pool connections
      const held = [
        api.get('/api/pbx/extensions').then((r) => r.status),
        api.get('/api/pbx/extensions').then((r) => r.status),
      ];
      await waitUntil(
        async () =>
          (
            await db.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            )
          ).rows[0].n >= 2,
        5_000,
        'two requests waiting',
      );
      const started = Date.now();
      const refused = await api.get('/api/pbx/trunks');
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('service_unavailable');
      expect(refused.headers['retry-after']).toBe('1');
      expect(Date.now() - started).toBeLessThan(2_000);
      await db.query('ROLLBACK');
      expect(await Promise.all(held)).toEqual([200, 200]);
      await api.get('/api/pbx/trunks').expect(200);
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.end();
      await api.close();
    }
  });
});

describe('headers, docs and metrics exposure', () => {
  it('helmet headers everywhere, and the Swagger UI still loads under its CSP', async () => {
    const api = await startTestApi();
    try {
      const base = urlOf(api);
      const health = await rawRequest(`${base}/health`);
      expect(health.headers['x-content-type-options']).toBe('nosniff');
      expect(health.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(health.headers['x-powered-by']).toBeUndefined();
      const docs = await rawRequest(`${base}/docs`);
      expect(docs.status).toBe(200);
      const csp = String(docs.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      // every script is a same-origin file ('self'): no inline script the CSP would block
      const scripts = [...docs.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(inline.trim()).toBe('');
        const src = /src="([^"]+)"/.exec(attributes)?.[1];
        expect(src).toBeDefined();
        const script = await rawRequest(new URL(src!, `${base}/docs`).toString());
        expect([src, script.status]).toEqual([src, 200]);
      }
      expect((await rawRequest(`${base}/docs/openapi.json`)).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('DOCS_ENABLED=false: /docs and its JSON are 404', async () => {
    const api = await startTestApi({ DOCS_ENABLED: 'false' });
    try {
      await api.http().get('/docs').expect(404);
      await api.http().get('/docs/openapi.json').expect(404);
    } finally {
      await api.close();
    }
  });

  it('METRICS_TOKEN: /metrics needs it', async () => {
    const token = 'metrics-secret-0123456789abcdef';
    const api = await startTestApi({ METRICS_TOKEN: token });
    try {
      const refused = await api.http().get('/metrics').expect(401);
      expect(refused.body.error.code).toBe('unauthorized');
      await api.http().get('/metrics').set('Authorization', `Bearer ${api.adminToken}`).expect(401);
      const page = await api.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
      expect(page.text).toContain('pbx_token_lookups_total');
    } finally {
      await api.close();
    }
  });

  it('API_METRICS_PORT: /metrics only on its own loopback server', async () => {
    const port = await freePort();
    const api = await startTestApi({ API_METRICS_PORT: String(port) });
    try {
      await api.http().get('/metrics').expect(404);
      const page = await rawRequest(`http://127.0.0.1:${port}/metrics`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('pbx_throttled_requests_total');
      expect((await rawRequest(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
