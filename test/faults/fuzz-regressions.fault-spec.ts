import { FuzzBody } from '../harness/fuzz-arbitraries';
import { FuzzFixture, Req } from '../harness/fuzz-fixture';

/**
 * Each 5xx the API fuzzer has found, pinned as one request (a 4xx or a 2xx is fine), so that
 * each is its own test to fix and stays fixed. Same invariants as the fuzzing specs
 * (fuzz-fixture.ts `probe`): no 5xx, the stable error body, no write on refusal.
 */
describe('API fuzzing, regressions: inputs that gave a 5xx', () => {
  const fx = new FuzzFixture('fuzz-regressions');

  beforeAll(() => fx.start({}));
  afterAll(() => fx.stop());

  const json = (text: string): FuzzBody => ({ contentType: 'application/json', text });
  const cursorOf = (raw: string) => Buffer.from(raw).toString('base64url');
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const KNOWN_5XX: Array<{ name: string; token: 'admin' | 'calls' | 'reader'; req: () => Req }> = [
    {
      name: 'POST /api/pbx/caller-ids with number "+" and 32 digits (the rule allows 33 characters, the column is varchar(32))',
      token: 'admin',
      req: () => ({
        method: 'POST',
        path: '/api/pbx/caller-ids',
        body: json(JSON.stringify({ number: `+${'1'.repeat(32)}` })),
      }),
    },
    {
      name: 'POST /api/pbx/extensions with outbound_caller_id "+" and 32 digits (varchar(32))',
      token: 'admin',
      req: () => ({
        method: 'POST',
        path: '/api/pbx/extensions',
        body: json(
          JSON.stringify({
            number: '987659001',
            password: 'correct-horse-staple',
            outbound_caller_id: `+${'1'.repeat(32)}`,
          }),
        ),
      }),
    },
    {
      name: 'PATCH /api/pbx/extensions/:id with outbound_caller_id "+" and 32 digits (varchar(32))',
      token: 'admin',
      req: () => ({
        method: 'PATCH',
        path: `/api/pbx/extensions/${fx.fixtures.extension.id}`,
        body: json(JSON.stringify({ outbound_caller_id: `+${'1'.repeat(32)}` })),
      }),
    },
    {
      name: 'POST /api/pbx/routes with prepend "+" and 16 digits (the rule allows 17 characters, the column is varchar(16))',
      token: 'admin',
      req: () => ({
        method: 'POST',
        path: '/api/pbx/routes',
        body: json(
          JSON.stringify({
            name: 'fuzz-prepend',
            pattern: '0999',
            trunk_ids: [fx.fixtures.trunk.id],
            prepend: `+${'0'.repeat(16)}`,
          }),
        ),
      }),
    },
    {
      name: 'PATCH /api/pbx/routes/:id with prepend "+" and 16 digits (varchar(16))',
      token: 'admin',
      req: () => ({
        method: 'PATCH',
        path: `/api/pbx/routes/${fx.fixtures.route.id}`,
        body: json(JSON.stringify({ prepend: `+${'0'.repeat(16)}` })),
      }),
    },
    {
      name: 'POST /api/pbx/extensions with a field nested 5000 arrays deep (class-transformer recurses until RangeError)',
      token: 'admin',
      req: () => ({
        method: 'POST',
        path: '/api/pbx/extensions',
        body: json(`{"number":"987659002","password":"correct-horse-staple","x":${nested(5_000)}}`),
      }),
    },
    {
      name: 'PATCH /api/pbx/trunks/:id with a body nested 5000 arrays deep',
      token: 'admin',
      req: () => ({
        method: 'PATCH',
        path: `/api/pbx/trunks/${fx.fixtures.trunkB.id}`,
        body: json(`{"name":${nested(5_000)}}`),
      }),
    },
    {
      name: 'POST /api/pbx/calls/click-to-call with a field nested 5000 arrays deep',
      token: 'calls',
      req: () => ({
        method: 'POST',
        path: '/api/pbx/calls/click-to-call',
        body: json(
          `{"from_extension":"${fx.fixtures.callExtension.number}","to_phone":"0987654321","trunk_name":${nested(5_000)}}`,
        ),
      }),
    },
    {
      name: 'POST /api/pbx/calls/click-to-call with a NUL in trunk_name (PostgreSQL refuses 0x00 in text)',
      token: 'calls',
      req: () => ({
        method: 'POST',
        path: '/api/pbx/calls/click-to-call',
        body: json(
          JSON.stringify({
            from_extension: fx.fixtures.callExtension.number,
            to_phone: '0987654321',
            trunk_name: 'a\u0000b',
          }),
        ),
      }),
    },
    ...['2026-W09-1', '2026-03', '2026', '+2026-03-01', '-2026-03-01', '2026-03-01T10:00:00,5Z'].map((date) => ({
      name: `GET /api/pbx/cdrs?from=${date} (valid ISO 8601 for the validator, not for PostgreSQL)`,
      token: 'reader' as const,
      req: (): Req => ({ method: 'GET', path: `/api/pbx/cdrs?from=${encodeURIComponent(date)}` }),
    })),
    {
      name: 'GET /api/pbx/cdrs?to=2026-W09 (the same through `to`)',
      token: 'reader',
      req: () => ({ method: 'GET', path: '/api/pbx/cdrs?to=2026-W09' }),
    },
    {
      name: 'GET /api/pbx/cdrs?cursor=base64url("1|1") (a date Date.parse reads and PostgreSQL does not)',
      token: 'reader',
      req: () => ({ method: 'GET', path: `/api/pbx/cdrs?cursor=${cursorOf('1|1')}` }),
    },
    {
      name: 'GET /api/pbx/cdrs?cursor=base64url("2026-03-01T00:00:00Z|9999999999999999999") (an id over bigint)',
      token: 'reader',
      req: () => ({
        method: 'GET',
        path: `/api/pbx/cdrs?cursor=${cursorOf('2026-03-01T00:00:00Z|9999999999999999999')}`,
      }),
    },
  ];

  it.each(KNOWN_5XX)('$name', async ({ token, req }) => {
    const answer = await fx.probe(req(), fx.regression[token], { allow2xx: token !== 'calls' });
    expect(answer.status).not.toBe(429);
  });
});
