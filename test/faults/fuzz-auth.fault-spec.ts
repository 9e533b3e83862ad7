import fc from 'fast-check';
import { digits, headerValue, pathId, queryString, safeText, wellFormedBody } from '../harness/fuzz-arbitraries';
import {
  describeReq,
  FACTOR,
  FIXTURE,
  FuzzFixture,
  isDecodable,
  jsonBody,
  Req,
  runProperty,
} from '../harness/fuzz-fixture';

/**
 * Property-based fuzzing of authentication and scopes (fast-check, fixed seed; see
 * fuzz-fixture.ts): a `calls` token is refused with 403 on every admin route whatever the ids,
 * bodies and queries, a missing or garbage token with 401 on every route, and none of it writes.
 */

// runs per property: the four fuzz-*.fault-spec.ts files take about two minutes together on 2 cores
const RUNS = {
  auth: 650,
  scope: 650,
};

describe('API fuzzing, authentication and scopes: 401 and 403 everywhere they belong, nothing written', () => {
  const fx = new FuzzFixture('fuzz-auth');

  beforeAll(() => fx.start({ admin: 2, reader: 10 * Math.ceil(FACTOR) }));
  afterAll(() => fx.stop());

  // 3: authentication and scopes

  /** Every authenticated route, with a real fixture id where the route takes one. */
  const ADMIN_ROUTES: Array<[method: string, path: () => string]> = [
    ['POST', () => '/api/pbx/extensions'],
    ['GET', () => '/api/pbx/extensions'],
    ['GET', () => `/api/pbx/extensions/${fx.fixtures.extension.id}`],
    ['PATCH', () => `/api/pbx/extensions/${fx.fixtures.extension.id}`],
    ['DELETE', () => `/api/pbx/extensions/${fx.fixtures.extension.id}`],
    ['POST', () => '/api/pbx/trunks'],
    ['GET', () => '/api/pbx/trunks'],
    ['GET', () => `/api/pbx/trunks/${fx.fixtures.trunkB.id}`],
    ['PATCH', () => `/api/pbx/trunks/${fx.fixtures.trunkB.id}`],
    ['DELETE', () => `/api/pbx/trunks/${fx.fixtures.trunkB.id}`],
    ['POST', () => '/api/pbx/caller-ids'],
    ['DELETE', () => `/api/pbx/caller-ids/${fx.fixtures.callerId.id}`],
    ['POST', () => '/api/pbx/tokens'],
    ['GET', () => '/api/pbx/tokens'],
    ['DELETE', () => `/api/pbx/tokens/${fx.afterFixtures.get('api_tokens')}`],
    ['POST', () => '/api/pbx/routes'],
    ['GET', () => '/api/pbx/routes'],
    ['GET', () => `/api/pbx/routes/${fx.fixtures.route.id}`],
    ['PATCH', () => `/api/pbx/routes/${fx.fixtures.route.id}`],
    ['DELETE', () => `/api/pbx/routes/${fx.fixtures.route.id}`],
    ['POST', () => '/api/pbx/webhooks'],
    ['GET', () => '/api/pbx/webhooks'],
    ['GET', () => `/api/pbx/webhooks/${fx.fixtures.webhook.id}`],
    ['PATCH', () => `/api/pbx/webhooks/${fx.fixtures.webhook.id}`],
    ['DELETE', () => `/api/pbx/webhooks/${fx.fixtures.webhook.id}`],
    ['GET', () => `/api/pbx/webhooks/${fx.fixtures.webhook.id}/deliveries`],
    ['POST', () => `/api/pbx/webhooks/${fx.fixtures.webhook.id}/deliveries/${fx.fixtures.deliveryIds[0]}/redeliver`],
  ];
  const CALLS_ROUTES: Array<[method: string, path: () => string]> = [
    ['GET', () => '/api/pbx/caller-ids'],
    ['POST', () => '/api/pbx/calls/click-to-call'],
    ['GET', () => `/api/pbx/calls/${fx.fixtures.callUuid}`],
    ['GET', () => '/api/pbx/cdrs'],
  ];
  const PUBLIC_ROUTES = ['/health', '/metrics', '/docs', '/docs/openapi.json'];

  /** A valid body for each write route: a calls token must be refused even when the request is right. */
  let unique = 0;
  const validBody = (method: string, path: string): unknown => {
    if (method === 'DELETE' || method === 'GET') return undefined;
    const n = 100_000 + unique++;
    if (path.endsWith('/redeliver')) return undefined;
    if (path.startsWith('/api/pbx/extensions'))
      return { number: `98${String(n).padStart(6, '0')}`, password: 'valid-password' };
    if (path.startsWith('/api/pbx/trunks')) return { name: `scope-${n}`, host: '192.0.2.20' };
    if (path.startsWith('/api/pbx/caller-ids')) return { number: `0288${n}` };
    if (path.startsWith('/api/pbx/tokens')) return { name: 'escalate', scopes: ['admin'] };
    if (path.startsWith('/api/pbx/routes'))
      return { name: `scope-${n}`, pattern: '', trunk_ids: [fx.fixtures.trunk.id] };
    if (path.startsWith('/api/pbx/webhooks'))
      return { url: 'https://attacker.example/hook', events: ['pbx.call.hangup'] };
    if (path.endsWith('/click-to-call'))
      return {
        from_extension: fx.fixtures.callExtension.number,
        to_phone: '0987654321',
        trunk_id: fx.fixtures.trunk.id,
      };
    return {};
  };

  it('a calls-scope token gets 403 forbidden on every admin route, even with a valid request, and changes nothing', async () => {
    const calls = fx.pools.reader[0];
    for (const [method, path] of ADMIN_ROUTES) {
      const req: Req = { method, path: path(), body: jsonBody(validBody(method, path())) };
      const answer = await fx.probe(req, calls);
      expect({ route: `${method} ${req.path}`, status: answer.status, body: answer.json }).toEqual({
        route: `${method} ${req.path}`,
        status: 403,
        body: { error: { code: 'forbidden', message: expect.any(String), details: { required_scopes: ['admin'] } } },
      });
    }
    // while what the calls scope is for works with a calls token (409: the extension has no phone)
    for (const [method, path] of CALLS_ROUTES) {
      const answer = await fx.probe(
        { method, path: path(), body: jsonBody(validBody(method, path())) },
        fx.spareCallsToken,
        { allow2xx: method === 'GET' },
      );
      expect([`${method} ${path()}`, answer.status]).toEqual([`${method} ${path()}`, method === 'GET' ? 200 : 409]);
    }
  });

  it('a calls-scope token gets 403 on admin routes whatever the ids, bodies and query strings', async () => {
    // an id that is not valid percent-encoding fails in the router (422) before any guard runs
    const id = fc.oneof(fc.constant(FIXTURE), pathId.filter(isDecodable));
    const requests = fc.tuple(
      fc.integer({ min: 0, max: ADMIN_ROUTES.length - 1 }),
      id,
      fc.option(wellFormedBody({ number: digits(3, 10), name: safeText(20), scopes: fc.constant(['admin']) }), {
        nil: undefined,
      }),
      queryString({ limit: fc.constant('1') }),
    );
    await runProperty(
      requests,
      async ([index, generatedId, body, q]) => {
        const [method, path] = ADMIN_ROUTES[index];
        const concrete = path();
        // swap the fixture id for the generated one where the route has an id
        const withId =
          generatedId === FIXTURE
            ? concrete
            : concrete.replace(/^(\/api\/pbx\/[a-z-]+\/)[0-9]+/, (_, prefix: string) => `${prefix}${generatedId}`);
        const answer = await fx.probe({ method, path: `${withId}${q}`, body }, fx.readerToken());
        if (answer.status !== 403 || (answer.json as { error: { code: string } }).error.code !== 'forbidden') {
          throw new Error(
            `calls token not refused with 403 forbidden: ${method} ${withId}${q} → ${answer.status} ${answer.text.slice(0, 300)}`,
          );
        }
      },
      RUNS.scope,
    );
  });

  it('a missing or garbage token gets 401 on every route; health, metrics and docs need none', async () => {
    for (const [method, path] of [...ADMIN_ROUTES, ...CALLS_ROUTES]) {
      for (const authorization of [
        undefined,
        'Bearer pbx_not_a_real_token_0123456789',
        `Bearer ${fx.pools.admin[0]}x`,
        `Basic ${Buffer.from('admin:admin').toString('base64')}`,
        fx.pools.admin[0],
      ]) {
        const req: Req = {
          method,
          path: path(),
          body: jsonBody(validBody(method, path())),
          headers: authorization === undefined ? {} : { Authorization: authorization },
        };
        const answer = await fx.probe(req, null);
        expect({
          route: `${method} ${req.path}`,
          authorization,
          status: answer.status,
          code: (answer.json as { error?: { code?: string } })?.error?.code,
        }).toEqual({
          route: `${method} ${req.path}`,
          authorization,
          status: 401,
          code: 'unauthorized',
        });
      }
    }
    for (const path of PUBLIC_ROUTES) {
      for (const authorization of [undefined, 'Bearer garbage-garbage-garbage', 'Basic x']) {
        const answer = await fx.send(
          { method: 'GET', path, headers: authorization ? { Authorization: authorization } : {} },
          null,
        );
        expect([path, authorization, answer.status]).toEqual([path, authorization, 200]);
      }
    }
  });

  it('random Authorization headers on every route: 401 unauthorized (public routes: 200), nothing written', async () => {
    const real = fx.pools.admin[1];
    const authorization = fc.oneof(
      { weight: 3, arbitrary: headerValue },
      { weight: 3, arbitrary: headerValue.map((v) => `Bearer ${v}`) },
      { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_\-.~+/=]{16,200}$/).map((t) => `Bearer ${t}`) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          `Bearer ${real}x`,
          `Bearer ${real.slice(0, -1)}`,
          `Bearer x${real}`,
          `Bearer  ${real}`,
          `Bearer ${real} ${real}`,
          `Bearer ${real},${real}`,
          `Token ${real}`,
          `Basic ${real}`,
          real,
          `Bearer${real}`,
          `Bearer ${real.toUpperCase()}`,
          'Bearer',
          'Bearer ',
          'Bearer null',
          'Bearer undefined',
          "Bearer ' OR '1'='1",
          `Bearer ${'A'.repeat(4_000)}`,
        ),
      },
    );
    const routes = [...ADMIN_ROUTES, ...CALLS_ROUTES].map(([m, p]) => [m, p] as const);
    const requests = fc.tuple(
      fc.integer({ min: 0, max: routes.length + PUBLIC_ROUTES.length - 1 }),
      fc.option(authorization, { nil: undefined }),
      fc.option(wellFormedBody({ number: digits(3, 10) }), { nil: undefined }),
      fc.option(headerValue, { nil: undefined }),
    );
    await runProperty(
      requests,
      async ([index, auth, body, idempotencyKey]) => {
        const isPublic = index >= routes.length;
        const method = isPublic ? 'GET' : routes[index][0];
        const path = isPublic ? PUBLIC_ROUTES[index - routes.length] : routes[index][1]();
        const headers: Record<string, string> = {};
        if (auth !== undefined) headers.Authorization = auth;
        if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
        const req: Req = { method, path, body, headers };
        if (isPublic) {
          const answer = await fx.send(req, null);
          if (answer.status !== 200) throw new Error(`public route refused: ${describeReq(req, answer)}`);
          return;
        }
        const answer = await fx.probe(req, null);
        if (answer.status !== 401 || (answer.json as { error: { code: string } }).error.code !== 'unauthorized') {
          throw new Error(
            `garbage Authorization not refused with 401: ${JSON.stringify(auth)?.slice(0, 200)} ${describeReq(req, answer)}`,
          );
        }
      },
      RUNS.auth,
    );
  });
});
