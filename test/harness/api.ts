import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadConfig } from '../../libs/config/src';
import { testContext, TestContext, testEnv } from './test-context';
import { randomBytes } from 'node:crypto';

export interface TestApi {
  app: INestApplication;
  context: TestContext;
  adminToken: string;
  http: () => ReturnType<typeof request>;
  /** authenticated request helpers */
  get: (path: string, token?: string) => request.Test;
  post: (path: string, body: unknown, token?: string) => request.Test;
  patch: (path: string, body: unknown, token?: string) => request.Test;
  del: (path: string, token?: string) => request.Test;
  close: () => Promise<void>;
  /** a new token: each has its own rate-limit budget */
  newToken: (scopes?: string[]) => Promise<string>;
}

/** Starts the real API (the same bootstrap as apps/api) against the test database and Asterisk. */
export async function startTestApi(
  extraEnv: Record<string, string> = {},
  options: { waitHealthy?: boolean } = {},
): Promise<TestApi> {
  const context = testContext();
  const adminToken = `pbx_test_admin_${randomBytes(12).toString('hex')}`;
  const env = testEnv(context, { PBX_ADMIN_TOKEN: adminToken, ...extraEnv });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const app = await createApiApp(loadConfig(env));
  await app.listen(0, '127.0.0.1');
  process.env = saved;
  if (options.waitHealthy !== false) await waitForHealth(app);
  const auth = (t: request.Test, token?: string) => t.set('Authorization', `Bearer ${token ?? adminToken}`);
  const http = () => request(app.getHttpServer());
  return {
    app,
    context,
    adminToken,
    http,
    get: (path, token) => auth(http().get(path), token),
    post: (path, body, token) => auth(http().post(path), token).send(body as object),
    patch: (path, body, token) => auth(http().patch(path), token).send(body as object),
    del: (path, token) => auth(http().delete(path), token),
    close: () => app.close(),
    newToken: async (scopes = ['calls']) =>
      (
        await auth(http().post('/api/pbx/tokens'))
          .send({ name: `test-${scopes.join('-')}`, scopes })
          .expect(201)
      ).body.data.token as string,
  };
}

async function waitForHealth(app: INestApplication): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await request(app.getHttpServer()).get('/health');
    if (response.status === 200) return;
    last = JSON.stringify(response.body);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`API not healthy: ${last}`);
}

export function uniqueNumber(): string {
  return String(2000 + Math.floor(Math.random() * 7_000_000)).padStart(4, '0');
}
