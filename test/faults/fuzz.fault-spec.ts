import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { CALL_EVENT_TYPES } from '@pbx/call-events';
import { startTestApi, TestApi } from '../harness/api';
import {
  digits,
  Fields,
  FuzzBody,
  headerValue,
  hostileString,
  nearValidBody,
  pathId,
  phone,
  queryString,
  requestBody,
  safeText,
  wellFormedBody,
} from '../harness/fuzz-arbitraries';

/**
 * Property-based fuzzing of every API route (fast-check, fixed seeds): for hostile bodies,
 * queries, path ids and headers the API never answers 5xx, every 4xx has the stable error body,
 * a refused request changes no row of any table, click-to-call never accepts a call it cannot
 * place, a `calls` token is refused on every admin route and a garbage token on every route.
 *
 * The last block pins, one request each, the 5xx this fuzzer has found, so that each is its own
 * test to fix and stays fixed.
 *
 * A failing property prints its seed, path and shrunk counterexample. The seed is fixed, so a
 * run replays the same inputs; FUZZ_SEED=<n> explores others and FUZZ_RUNS_FACTOR=<x> scales the
 * number of runs (token pools scale with it).
 */

/** Every table of the schema: a refused request must leave each one exactly as it was. */
const TABLES = [
  'extensions',
  'trunks',
  'caller_ids',
  'api_tokens',
  'outbound_routes',
  'outbound_route_trunks',
  'calls',
  'call_legs',
  'call_events',
  'cdrs',
  'idempotency_keys',
  'webhook_subscriptions',
  'webhook_deliveries',
  'webhook_attempts',
] as const;
type Table = (typeof TABLES)[number];

/** Row count and a content hash per table (api_tokens.last_used_at moves on every authenticated request). */
const FINGERPRINT_SQL = TABLES.map(
  (t) =>
    `SELECT '${t}' AS t, count(*)::int AS n, md5(coalesce(string_agg(x, ',' ORDER BY x), '')) AS h
       FROM (SELECT (to_jsonb(r)${t === 'api_tokens' ? " - 'last_used_at'" : ''})::text AS x FROM ${t} r) s`,
).join(' UNION ALL ');

type Fingerprint = Map<string, { n: number; h: string }>;

/** A request as the fuzzer generates it; the token is added when it is sent. */
interface Req {
  method: string;
  /** path and query exactly as they go on the wire (already percent-encoded, or not on purpose) */
  path: string;
  body?: FuzzBody;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** Placeholder for "the fixture row of this family" in generated paths, resolved when sent. */
const FIXTURE = ':fixture';
const DELIVERY = ':delivery';

// a fixed seed: the same inputs on every run (FUZZ_SEED and FUZZ_RUNS_FACTOR: see above)
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x5eed_2026;
const FACTOR = process.env.FUZZ_RUNS_FACTOR ? Number(process.env.FUZZ_RUNS_FACTOR) : 1;

// runs per property, sized so the file takes about a minute on 2 cores
const RUNS = {
  family: 900,
  clickToCall: 600,
  callsRead: 200,
  cdrs: 900,
  deliveries: 450,
  auth: 650,
  scope: 650,
};
const runs = (n: number) => Math.max(1, Math.round(n * FACTOR));

/** The API runs in this process: a request that pollutes Object.prototype shows here. */
const PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).join(',');

describe('API fuzzing (fast-check): no 5xx, stable 4xx bodies, no write on refusal, scope isolation', () => {
  let api: TestApi;
  let db: Client;
  let port: number;
  let adminPool: string[] = [];
  let callsPool: string[] = [];
  let readerPool: string[] = [];
  /** calls tokens whose click-to-call budget nothing else uses (scope checks, regressions) */
  let spareCallsToken = '';
  /** the regressions' own tokens: a budget spent by a failing property's shrinking cannot turn them into 429s */
  const regression = { admin: '', reader: '', calls: '' };
  let turn = 0;
  const adminToken = () => adminPool[turn++ % adminPool.length];
  const readerToken = () => readerPool[turn++ % readerPool.length];
  /** the highest id of each table before the fuzzer ran: rows at or under it are not the fuzzer's to change */
  const baseline = new Map<string, number>();
  /** the highest id once the fixtures exist: rows above it were created by the fuzzer */
  const afterFixtures = new Map<string, number>();
  const fixtures = {
    extension: { id: 0, number: '987650001' },
    callExtension: { id: 0, number: '987650002' },
    trunk: { id: 0, name: 'fuzz-trunk-a' },
    trunkB: { id: 0, name: 'fuzz-trunk-b' },
    callerId: { id: 0, number: '0289876500' },
    route: { id: 0 },
    webhook: { id: 0 },
    deliveryIds: [] as number[],
    callUuid: randomUUID(),
    cdrCursor: '',
  };
  let callsAtStart = 0;
  const stats = { requests: 0, byStatus: new Map<number, number>() };
  const throttled = () => stats.byStatus.get(429) ?? 0;

  // ---------------------------------------------------------------------------------------------
  // harness

  function send(req: Req, token: string | null): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      Object.assign(headers, req.headers ?? {});
      let payload: Buffer | undefined;
      if (req.body) {
        payload = Buffer.from(req.body.text, req.body.bytes === 'latin1' ? 'latin1' : 'utf8');
        if (req.body.contentEncoding === 'gzip-valid') {
          payload = gzipSync(payload);
          headers['Content-Encoding'] = 'gzip';
        } else if (req.body.contentEncoding) {
          headers['Content-Encoding'] = req.body.contentEncoding;
        }
        if (req.body.contentType !== null) headers['Content-Type'] = req.body.contentType;
        headers['Content-Length'] = String(payload.length);
      }
      let answered = false;
      const request = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent: false }, (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          stats.requests++;
          stats.byStatus.set(response.statusCode ?? 0, (stats.byStatus.get(response.statusCode ?? 0) ?? 0) + 1);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
      });
      // the server may answer (413) and close before it has read a large body: the answer counts
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      request.setTimeout(20_000, () => request.destroy(new Error(`no answer in 20 s: ${req.method} ${req.path.slice(0, 200)}`)));
      request.end(payload);
    });
  }

  async function fingerprint(): Promise<Fingerprint> {
    const rows = (await db.query(FINGERPRINT_SQL)).rows as Array<{ t: string; n: number; h: string }>;
    return new Map(rows.map((r) => [r.t, { n: r.n, h: r.h }]));
  }

  /** the tables compared around each request (all of them, unless something else writes to one) */
  let watched: readonly Table[] = TABLES;

  function changes(before: Fingerprint, after: Fingerprint, tables: readonly Table[] = watched): string[] {
    return tables.filter((t) => before.get(t)?.h !== after.get(t)?.h).map((t) => `${t} (${before.get(t)?.n} → ${after.get(t)?.n} rows)`);
  }

  const describeReq = (req: Req, answer: Answer) =>
    `${req.method} ${req.path.slice(0, 300)}${req.body ? ` [${req.body.contentType ?? 'no content-type'}${req.body.contentEncoding ? `, ${req.body.contentEncoding}` : ''}] ${req.body.text.slice(0, 300)}` : ''} → ${answer.status} ${answer.text.slice(0, 400)}`;

  /** The API's error body: exactly `{ error: { code, message, details } }`, as JSON. */
  function assertErrorBody(req: Req, answer: Answer): void {
    const body = answer.json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
    const ok =
      /^application\/json/.test(String(answer.headers['content-type'])) &&
      body !== null &&
      typeof body === 'object' &&
      Object.keys(body).length === 1 &&
      typeof body.error === 'object' &&
      body.error !== null &&
      typeof body.error.code === 'string' &&
      body.error.code.length > 0 &&
      typeof body.error.message === 'string' &&
      'details' in body.error;
    if (!ok) throw new Error(`4xx without the error body { error: { code, message, details } }: ${describeReq(req, answer)}`);
  }

  /**
   * Sends one request and checks the invariants: never 5xx; a 4xx has the error body and
   * changes nothing in the database; a 2xx JSON answer has `data` (and may change rows).
   */
  async function probe(req: Req, token: string | null, options: { allow2xx?: boolean } = {}): Promise<Answer> {
    const before = await fingerprint();
    const answer = await send(req, token);
    if (answer.status >= 500) throw new Error(`5xx: ${describeReq(req, answer)}`);
    const prototypeNow = Object.getOwnPropertyNames(Object.prototype).join(',');
    if (prototypeNow !== PROTOTYPE) throw new Error(`Object.prototype changed (${prototypeNow}): ${describeReq(req, answer)}`);
    if (answer.status >= 400) {
      assertErrorBody(req, answer);
      const changed = changes(before, await fingerprint());
      if (changed.length > 0) throw new Error(`a refused request (${answer.status}) changed ${changed.join(', ')}: ${describeReq(req, answer)}`);
    } else if (answer.status >= 200 && answer.status < 300) {
      if (options.allow2xx === false) throw new Error(`unexpected ${answer.status}: ${describeReq(req, answer)}`);
      if (answer.status !== 204 && !(answer.json && typeof answer.json === 'object' && 'data' in answer.json)) {
        throw new Error(`2xx without { data }: ${describeReq(req, answer)}`);
      }
    } else {
      throw new Error(`unexpected status: ${describeReq(req, answer)}`);
    }
    return answer;
  }

  /** The id a path segment names, as IdPipe reads it, or null when it names none. */
  function canonicalId(segment: string): number | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    return /^[1-9][0-9]{0,9}$/.test(decoded) && Number(decoded) <= 2_147_483_647 ? Number(decoded) : null;
  }

  /**
   * The fuzzer may change its own rows and the fixtures, never rows other tests left (a random
   * id like 1 names the bootstrap admin token): such a run is skipped (fc.pre).
   */
  async function allowedToTouch(table: Table, segment: string, method: string, fixtureId: number): Promise<boolean> {
    if (method !== 'PATCH' && method !== 'DELETE' && method !== 'POST') return true;
    const id = canonicalId(segment);
    if (id === null) return true;
    if (id > (afterFixtures.get(table) ?? Infinity)) return true;
    if (id === fixtureId && method !== 'DELETE') return true;
    const exists = (await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount ?? 0;
    return exists === 0;
  }

  async function maxId(table: string): Promise<number> {
    return Number((await db.query(`SELECT coalesce(max(id), 0) AS m FROM ${table}`)).rows[0].m);
  }

  // no time limit on purpose: a time-dependent cut would make the outcome depend on the machine
  const runProperty = <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns: number) =>
    fc.assert(fc.asyncProperty(arbitrary, predicate), { numRuns: runs(numRuns), seed: SEED });

  // ---------------------------------------------------------------------------------------------
  // fixtures

  beforeAll(async () => {
    api = await startTestApi();
    port = (api.app.getHttpServer().address() as AddressInfo).port;
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    for (const table of ['extensions', 'trunks', 'caller_ids', 'api_tokens', 'outbound_routes', 'webhook_subscriptions', 'cdrs']) baseline.set(table, await maxId(table));

    // each token has its own budget: 10 click-to-call requests a minute, 600 for the rest
    const tokens = (count: number, scope: string) => Promise.all(Array.from({ length: count }, () => api.newToken([scope])));
    // ~6,000 admin requests spread over 20 tokens stay under 600 a minute each however fast they go
    adminPool = await tokens(20 * Math.ceil(FACTOR), 'admin');
    // at most ~5 click-to-call requests per token, shrinking included, well under 10 a minute
    callsPool = await tokens(Math.ceil(runs(RUNS.clickToCall) / 5) + 10, 'calls');
    readerPool = await tokens(10 * Math.ceil(FACTOR), 'calls');
    spareCallsToken = await api.newToken(['calls']);
    regression.admin = await api.newToken(['admin']);
    regression.reader = await api.newToken(['calls']);
    regression.calls = await api.newToken(['calls']);

    const post = async (path: string, body: unknown) => (await api.post(path, body).expect(201)).body.data;
    fixtures.extension.id = (await post('/api/pbx/extensions', { number: fixtures.extension.number, password: 'fuzz-password-1', display_name: 'Fuzz A' })).id;
    fixtures.callExtension.id = (await post('/api/pbx/extensions', { number: fixtures.callExtension.number, password: 'fuzz-password-2', outbound_caller_id: '0289876501' })).id;
    fixtures.trunk.id = (await post('/api/pbx/trunks', { name: fixtures.trunk.name, host: '127.0.0.1', port: 5999 })).id;
    fixtures.trunkB.id = (await post('/api/pbx/trunks', { name: fixtures.trunkB.name, host: 'sip.example.net', port: 5998, transport: 'tcp', username: 'acct', password: 'secret' })).id;
    fixtures.callerId.id = (await post('/api/pbx/caller-ids', { number: fixtures.callerId.number, label: 'Fuzz', trunk_id: fixtures.trunk.id })).id;
    fixtures.route.id = (await post('/api/pbx/routes', { name: 'fuzz-route', pattern: '0987', trunk_ids: [fixtures.trunk.id, fixtures.trunkB.id] })).id;
    // inactive: no dispatcher should ever pick up the seeded deliveries
    fixtures.webhook.id = (await post('/api/pbx/webhooks', { url: 'http://127.0.0.1:9/fuzz', events: [...CALL_EVENT_TYPES], active: false })).id;

    // a past call with its events, deliveries in every state and attempts, and call history
    const call = fixtures.callUuid;
    await db.query(
      `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode, last_sequence, disposition, ended_at)
       VALUES ($1, 'ended', $2, $3, $4, '0987000000', $4, 'direct_gateway', 4, 'ANSWERED', now())`,
      [call, randomUUID(), randomUUID(), fixtures.callExtension.number],
    );
    const statuses = ['failed', 'skipped', 'succeeded', 'pending', 'failed', 'skipped'];
    for (let i = 0; i < statuses.length; i++) {
      const eventId = randomUUID();
      await db.query(
        `INSERT INTO call_events (id, call_uuid, sequence, type, leg, occurred_at, payload) VALUES ($1, $2, $3, 'pbx.call.hangup', 'a', now(), '{}')`,
        [eventId, call, i + 1],
      );
      const delivery = await db.query(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, call_uuid, sequence, status, attempt_count, last_error)
         VALUES ($1, $2, 'pbx.call.hangup', $3, $4, $5, 1, 'connect ECONNREFUSED') RETURNING id`,
        [fixtures.webhook.id, eventId, call, i + 1, statuses[i]],
      );
      const deliveryId = Number(delivery.rows[0].id);
      fixtures.deliveryIds.push(deliveryId);
      await db.query(`INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, error) VALUES ($1, 1, now(), 12, 'connect ECONNREFUSED')`, [deliveryId]);
    }
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30; i++) {
      const started = new Date(base + i * 60_000);
      await db.query(
        `INSERT INTO cdrs (call_uuid, from_extension, to_phone, caller_id, routing_mode, started_at, ended_at, duration, billsec, disposition, a_leg_uuid)
         VALUES ($1, $2, $3, $2, 'direct_gateway', $4, $5, 30, 20, $6, $7)`,
        [randomUUID(), fixtures.callExtension.number, `09${String(i).padStart(8, '0')}`, started, new Date(started.getTime() + 30_000), ['ANSWERED', 'BUSY', 'NO ANSWER'][i % 3], randomUUID()],
      );
    }
    callsAtStart = Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n);
    fixtures.cdrCursor = (await api.get(`/api/pbx/cdrs?limit=5&extension=${fixtures.callExtension.number}`, readerPool[0]).expect(200)).body.next_cursor;

    for (const table of ['extensions', 'trunks', 'caller_ids', 'api_tokens', 'outbound_routes', 'webhook_subscriptions']) afterFixtures.set(table, await maxId(table));

    // click-to-call must never be able to succeed here: the one extension it may name has no phone
    const registered = (await api.get(`/api/pbx/extensions/${fixtures.callExtension.id}`).expect(200)).body.data.registered;
    expect(registered).toBe(false);

    // nothing but the API under test may write while it is fuzzed; a process another test file
    // left running (a worker retrying webhooks) would be blamed on the fuzzer's requests
    const first = await fingerprint();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await fingerprint();
    const moving = TABLES.filter((t) => first.get(t)?.h !== second.get(t)?.h);
    if (moving.length > 0) {
      // eslint-disable-next-line no-console
      console.warn(`fuzz: ${moving.join(', ')} change with no request (another process writes them): not compared around requests`);
      watched = TABLES.filter((t) => !moving.includes(t));
    }
  });

  afterAll(async () => {
    if (db) {
      // the fuzzer's rows (routes, webhooks, trunks...) would change what later test files see
      try {
        const above = (table: string) => baseline.get(table) ?? Number.MAX_SAFE_INTEGER;
        await db.query('DELETE FROM caller_ids WHERE id > $1', [above('caller_ids')]);
        await db.query('DELETE FROM outbound_routes WHERE id > $1', [above('outbound_routes')]);
        await db.query('DELETE FROM webhook_subscriptions WHERE id > $1', [above('webhook_subscriptions')]);
        await db.query('DELETE FROM calls WHERE call_uuid = $1', [fixtures.callUuid]);
        await db.query('DELETE FROM cdrs WHERE id > $1', [above('cdrs')]);
        await db.query('DELETE FROM extensions WHERE id > $1', [above('extensions')]);
        await db.query('DELETE FROM trunks WHERE id > $1 AND id NOT IN (SELECT trunk_id FROM outbound_route_trunks) AND id NOT IN (SELECT trunk_id FROM caller_ids WHERE trunk_id IS NOT NULL)', [above('trunks')]);
        await db.query("DELETE FROM api_tokens WHERE id > $1 AND NOT (name LIKE 'bootstrap admin%')", [above('api_tokens')]);
      } finally {
        await db.end();
      }
    }
    if (stats.requests > 0) {
      const byStatus = [...stats.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
      // eslint-disable-next-line no-console
      console.log(`fuzz: ${stats.requests} requests; statuses ${byStatus}`);
    }
    await api?.close();
  });

  // ---------------------------------------------------------------------------------------------
  // valid-looking field values (the fuzzer mixes them with hostile ones)

  const password = (min: number) =>
    fc.oneof(fc.string({ minLength: min, maxLength: 40 }), fc.constant('p'.repeat(128)), fc.constant('p'.repeat(129)), fc.constant('pässwörd-ünïcode'));
  const status = fc.constantFrom('active', 'disabled');
  const trunkIds = () => fc.oneof(fc.constant(fixtures.trunk.id), fc.constant(fixtures.trunkB.id), fc.integer({ min: 1, max: 2_147_483_647 }));
  const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.constantFrom('localhost', '127.0.0.1', `${'a'.repeat(63)}.example`, `${'a'.repeat(64)}.example`, `${'a.'.repeat(126)}a`));

  const extensionFields = (): Fields => ({
    number: digits(3, 10),
    display_name: safeText(64, 0),
    password: password(8),
    outbound_caller_id: fc.option(phone, { nil: null }),
    status,
  });
  const trunkFields = (): Fields => ({
    name: safeText(100),
    host,
    port: fc.oneof(fc.integer({ min: 1, max: 65_535 }), fc.constantFrom(1, 65_535)),
    transport: fc.constantFrom('udp', 'tcp'),
    username: fc.option(fc.stringMatching(/^[A-Za-z0-9_.+~!$&'()*,;=-]{1,64}$/), { nil: null }),
    password: fc.option(password(1), { nil: null }),
    status,
  });
  const callerIdFields = (): Fields => ({
    number: phone,
    label: safeText(100, 0),
    trunk_id: fc.option(trunkIds(), { nil: null }),
  });
  const tokenFields = (): Fields => ({
    name: safeText(100),
    scopes: fc.oneof(fc.subarray(['admin', 'calls'], { minLength: 1 }), fc.constant(['calls', 'calls']), fc.array(fc.constantFrom('admin', 'calls'), { maxLength: 3 })),
  });
  const routeFields = (): Fields => ({
    name: safeText(100),
    pattern: fc.tuple(fc.boolean(), fc.array(fc.constantFrom('0', '1', '9', 'X'), { maxLength: 20 })).map(([plus, ds]) => `${plus ? '+' : ''}${ds.join('')}`),
    trunk_ids: fc.oneof(fc.constant([fixtures.trunk.id]), fc.constant([fixtures.trunkB.id, fixtures.trunk.id]), fc.array(trunkIds(), { minLength: 1, maxLength: 11 })),
    strip: fc.integer({ min: 0, max: 20 }),
    prepend: fc.tuple(fc.boolean(), digits(0, 16)).map(([plus, d]) => `${plus ? '+' : ''}${d}`),
  });
  const webhookFields = (): Fields => ({
    url: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constantFrom('http://127.0.0.1:9/hook', 'https://[::1]:8443/', 'http://localhost/x', `https://example.com/${'a'.repeat(1_980)}`)),
    events: fc.oneof(fc.subarray([...CALL_EVENT_TYPES], { minLength: 1 }), fc.array(fc.constantFrom(...CALL_EVENT_TYPES), { maxLength: 21 })),
    active: fc.boolean(),
    format: fc.constant('zorio'),
  });

  // ---------------------------------------------------------------------------------------------
  // 1 + 2: every admin route family, admin token: no 5xx, error bodies, no write on refusal

  interface Family {
    base: string;
    table: Table;
    fixtureId: () => number;
    create?: () => Fields;
    update?: () => Fields;
    item?: boolean;
    remove?: boolean;
  }
  const families: Record<string, Family> = {
    extensions: { base: '/api/pbx/extensions', table: 'extensions', fixtureId: () => fixtures.extension.id, create: extensionFields, update: extensionFields, item: true, remove: true },
    trunks: { base: '/api/pbx/trunks', table: 'trunks', fixtureId: () => fixtures.trunkB.id, create: trunkFields, update: trunkFields, item: true, remove: true },
    'caller-ids': { base: '/api/pbx/caller-ids', table: 'caller_ids', fixtureId: () => fixtures.callerId.id, create: callerIdFields, remove: true },
    tokens: { base: '/api/pbx/tokens', table: 'api_tokens', fixtureId: () => 0, create: tokenFields, remove: true },
    routes: { base: '/api/pbx/routes', table: 'outbound_routes', fixtureId: () => fixtures.route.id, create: routeFields, update: routeFields, item: true, remove: true },
    webhooks: { base: '/api/pbx/webhooks', table: 'webhook_subscriptions', fixtureId: () => fixtures.webhook.id, create: webhookFields, update: webhookFields, item: true, remove: true },
  };

  /** Requests on one family: create, list (with a junk query), read, update, delete, unknown method. */
  function familyRequests(family: Family): fc.Arbitrary<Req> {
    const target = fc.oneof({ weight: 2, arbitrary: fc.constant(FIXTURE) }, { weight: 3, arbitrary: pathId });
    const ops: Array<{ weight: number; arbitrary: fc.Arbitrary<Req> }> = [];
    if (family.create) ops.push({ weight: 6, arbitrary: requestBody(family.create()).map((body): Req => ({ method: 'POST', path: family.base, body })) });
    ops.push({ weight: 1, arbitrary: queryString({ limit: fc.constant('10'), id: fc.constant('1') }).map((q): Req => ({ method: 'GET', path: `${family.base}${q}` })) });
    if (family.item) ops.push({ weight: 1, arbitrary: target.map((id): Req => ({ method: 'GET', path: `${family.base}/${id}` })) });
    if (family.update) ops.push({ weight: 5, arbitrary: fc.tuple(target, requestBody(family.update())).map(([id, body]): Req => ({ method: 'PATCH', path: `${family.base}/${id}`, body })) });
    if (family.remove) ops.push({ weight: 1, arbitrary: pathId.map((id): Req => ({ method: 'DELETE', path: `${family.base}/${id}` })) });
    ops.push({
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('PUT', 'OPTIONS', 'PATCH', 'DELETE', 'POST'), target, requestBody({})).map(([method, id, body]): Req => ({
        method,
        path: method === 'PATCH' || method === 'DELETE' ? family.base : `${family.base}/${id}${method === 'POST' ? '/nothing' : ''}`,
        body,
      })),
    });
    return fc.oneof(...ops);
  }

  async function checkFamilyRequest(family: Family, generated: Req): Promise<void> {
    const req = { ...generated, path: generated.path.replace(FIXTURE, String(family.fixtureId())) };
    const segment = req.path.slice(family.base.length + 1).split(/[/?]/)[0];
    fc.pre(await allowedToTouch(family.table, segment, req.method, family.fixtureId()));
    await probe(req, adminToken());
  }

  it.each(Object.keys(families))('%s: hostile bodies, ids and methods never give a 5xx and a refusal writes nothing', async (name) => {
    const family = families[name];
    const before = throttled();
    await runProperty(familyRequests(family), (req) => checkFamilyRequest(family, req), RUNS.family);
    // the pool of admin tokens kept the rate limit out of the way
    expect(throttled() - before).toBeLessThanOrEqual(runs(RUNS.family) * 0.01);
  });

  it('webhook deliveries and redeliver: hostile ids and queries never give a 5xx', async () => {
    const webhook = fc.oneof({ weight: 3, arbitrary: fc.constant(FIXTURE) }, { weight: 2, arbitrary: pathId });
    const delivery = fc.oneof({ weight: 2, arbitrary: fc.constant(DELIVERY) }, { weight: 3, arbitrary: pathId });
    const query = queryString({
      limit: fc.oneof(digits(1, 3), fc.constantFrom('0', '1', '200', '201', '-1', '1.5', '1e2', ' 5', '0x10')),
      before_id: fc.oneof(digits(1, 17), fc.constantFrom('1', '9007199254740991', '9007199254740992', '9223372036854775807', '9223372036854775808', '-1', '0')),
    });
    const requests = fc.oneof(
      fc.tuple(webhook, query).map(([id, q]): Req => ({ method: 'GET', path: `/api/pbx/webhooks/${id}/deliveries${q}` })),
      fc.tuple(webhook, delivery, fc.option(requestBody({}), { nil: undefined })).map(([id, d, body]): Req => ({ method: 'POST', path: `/api/pbx/webhooks/${id}/deliveries/${d}/redeliver`, body })),
    );
    let nextDelivery = 0;
    await runProperty(
      requests,
      async (generated) => {
        const req = {
          ...generated,
          path: generated.path.replace(FIXTURE, String(fixtures.webhook.id)).replace(DELIVERY, String(fixtures.deliveryIds[nextDelivery++ % fixtures.deliveryIds.length])),
        };
        const segment = req.path.slice('/api/pbx/webhooks/'.length).split(/[/?]/)[0];
        fc.pre(await allowedToTouch('webhook_subscriptions', segment, req.method, fixtures.webhook.id));
        await probe(req, adminToken());
      },
      RUNS.deliveries,
    );
  });

  // ---------------------------------------------------------------------------------------------
  // click-to-call: never accepted, no call row, whatever the body and headers

  it('click-to-call: hostile bodies and Idempotency-Keys are refused with a 4xx and place no call', async () => {
    const nonexistent = digits(5, 5).map((d) => `99999${d}`);
    // mostly values that exist, so that requests get as far as the database and Asterisk checks
    const fields: Fields = {
      // the one existing extension has no registered phone (checked in beforeAll): 409 at best
      from_extension: fc.oneof({ weight: 4, arbitrary: fc.constant(fixtures.callExtension.number) }, { weight: 1, arbitrary: nonexistent }),
      to_phone: fc.oneof({ weight: 6, arbitrary: digits(3, 32) }, { weight: 1, arbitrary: phone }, { weight: 1, arbitrary: digits(33, 33) }),
      caller_id: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(fixtures.callExtension.number, fixtures.callerId.number, '0289876501') }, { weight: 1, arbitrary: phone }),
      trunk_id: fc.oneof({ weight: 4, arbitrary: fc.constant(fixtures.trunk.id) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_147_483_647 }) }),
      trunk_name: fc.oneof({ weight: 4, arbitrary: fc.constant(fixtures.trunk.name) }, { weight: 1, arbitrary: safeText(100) }, { weight: 1, arbitrary: hostileString }),
      headers: fc.oneof(
        { weight: 6, arbitrary: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 200 }), { maxKeys: 20 }) },
        { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 5 }) },
        { weight: 1, arbitrary: fc.constantFrom({ Ticket: 'T-42\r\nX-Injected: 1' }, Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, 'v']))) },
      ),
    };
    // trunk_id wins over trunk_name: some bodies leave it out so that trunk_name is looked up
    const { trunk_id: _trunkId, ...byName } = fields;
    const idempotencyKey = fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: headerValue },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a'.repeat(255), 'a'.repeat(256), 'é', "'; DROP TABLE idempotency_keys;--", '%00') },
    );
    const requests = fc.tuple(fc.oneof({ weight: 1, arbitrary: requestBody(fields) }, { weight: 1, arbitrary: nearValidBody(fields) }, { weight: 2, arbitrary: nearValidBody(byName) }), idempotencyKey).map(([body, key]): Req => ({
      method: 'POST',
      path: '/api/pbx/calls/click-to-call',
      body,
      ...(key !== undefined ? { headers: { 'Idempotency-Key': key } } : {}),
    }));
    let next = 0;
    let validated = 0;
    await runProperty(
      requests,
      async (req) => {
        // a number the fuzzer itself created as an extension is not "nonexistent": skip that run
        const named = /"from_extension"\s*:\s*"(99999[0-9]{5})"/.exec(req.body?.text ?? '');
        if (named) fc.pre(((await db.query('SELECT 1 FROM extensions WHERE number = $1', [named[1]])).rowCount ?? 0) === 0);
        const calls = Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n);
        const answer = await probe(req, callsPool[next++ % callsPool.length], { allow2xx: false });
        if (answer.status === 401 || answer.status === 403) throw new Error(`the calls token was refused: ${answer.status} ${answer.text}`);
        if (answer.status !== 429) validated++;
        expect(Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n)).toBe(calls);
      },
      RUNS.clickToCall,
    );
    // the pool of tokens kept the rate limit out of the way: the requests reached validation
    expect(validated).toBeGreaterThan(runs(RUNS.clickToCall) * 0.9);
    expect(Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n)).toBe(callsAtStart);
    expect(Number((await db.query("SELECT count(*) AS n FROM calls WHERE created_at > now() - interval '10 minutes' AND call_uuid <> $1", [fixtures.callUuid])).rows[0].n)).toBe(0);
  });

  it('GET /api/pbx/calls/:call_uuid: random ids are a 404, never a 5xx', async () => {
    const ids = fc.oneof(pathId, fc.uuid(), fc.constant(FIXTURE), fc.uuid().map((u) => u.toUpperCase()), fc.uuid().map((u) => `${u}x`));
    await runProperty(
      fc.tuple(ids, queryString({ include: fc.constant('legs') })),
      async ([id, q]) => {
        await probe({ method: 'GET', path: `/api/pbx/calls/${id === FIXTURE ? fixtures.callUuid : id}${q}` }, readerToken());
      },
      RUNS.callsRead,
    );
  });

  // ---------------------------------------------------------------------------------------------
  // GET /api/pbx/cdrs: random query strings

  /** ISO 8601 look-alikes: what the validator accepts is not always what PostgreSQL reads. */
  const isoish: fc.Arbitrary<string> = fc.oneof(
    { weight: 3, arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom('', '', '', '+', '-'),
          fc.oneof(fc.constantFrom('0000', '0001', '1969', '1970', '2026', '9999'), digits(4, 4)),
          fc.constantFrom('-03-01', '0301', '-02-30', '-13-01', '-W09', '-W09-1', 'W091', '-060', '060', '-366', '-03', ''),
          fc.constantFrom('', 'T10:00', 'T10:00:00', 'T10:00:00.123456789', 'T24:00', ' 10:00', 'T1000', 'T10', 'T10:00:00,5'),
          fc.constantFrom('', 'Z', '+07:00', '-0330', '+14:00', '-23:59', 'z'),
        )
        .map((parts) => parts.join('')),
    },
    { weight: 1, arbitrary: fc.constantFrom('yesterday', 'now', '1', 'Tue', '2026-03-01T00:00:00Z\u0000', '2026-03-01T00:00:00Z; DROP TABLE cdrs') },
  );
  const cursor: fc.Arbitrary<string> = fc.oneof(
    fc.constant('@cursor'),
    fc.tuple(isoish, fc.oneof(digits(1, 19), fc.constantFrom('0', '9223372036854775807', '9223372036854775808', '9999999999999999999', '-1', ''))).map(([at, id]) =>
      Buffer.from(`${at}|${id}`).toString('base64url'),
    ),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/),
    fc.constantFrom('', '|', 'bm90LWEtY3Vyc29y', Buffer.from('|1').toString('base64url'), Buffer.from('2026-03-01T00:00:00Z|').toString('base64url')),
  );

  it('GET /api/pbx/cdrs: random query strings never give a 5xx', async () => {
    const query = queryString({
      from: isoish,
      to: isoish,
      extension: fc.oneof(digits(3, 10), fc.constant(fixtures.callExtension.number)),
      phone,
      disposition: fc.constantFrom('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED', 'answered', 'MAYBE'),
      limit: fc.oneof(digits(1, 3), fc.constantFrom('0', '1', '500', '501', '-1', '1.5', '1e2', '010')),
      cursor,
    });
    await runProperty(
      query,
      async (q) => {
        await probe({ method: 'GET', path: `/api/pbx/cdrs${q.replace('@cursor', fixtures.cdrCursor)}` }, readerToken());
      },
      RUNS.cdrs,
    );
  });

  // ---------------------------------------------------------------------------------------------
  // 3: authentication and scopes

  /** Every authenticated route, with a real fixture id where the route takes one. */
  const ADMIN_ROUTES: Array<[method: string, path: () => string]> = [
    ['POST', () => '/api/pbx/extensions'],
    ['GET', () => '/api/pbx/extensions'],
    ['GET', () => `/api/pbx/extensions/${fixtures.extension.id}`],
    ['PATCH', () => `/api/pbx/extensions/${fixtures.extension.id}`],
    ['DELETE', () => `/api/pbx/extensions/${fixtures.extension.id}`],
    ['POST', () => '/api/pbx/trunks'],
    ['GET', () => '/api/pbx/trunks'],
    ['GET', () => `/api/pbx/trunks/${fixtures.trunkB.id}`],
    ['PATCH', () => `/api/pbx/trunks/${fixtures.trunkB.id}`],
    ['DELETE', () => `/api/pbx/trunks/${fixtures.trunkB.id}`],
    ['POST', () => '/api/pbx/caller-ids'],
    ['DELETE', () => `/api/pbx/caller-ids/${fixtures.callerId.id}`],
    ['POST', () => '/api/pbx/tokens'],
    ['GET', () => '/api/pbx/tokens'],
    ['DELETE', () => `/api/pbx/tokens/${afterFixtures.get('api_tokens')}`],
    ['POST', () => '/api/pbx/routes'],
    ['GET', () => '/api/pbx/routes'],
    ['GET', () => `/api/pbx/routes/${fixtures.route.id}`],
    ['PATCH', () => `/api/pbx/routes/${fixtures.route.id}`],
    ['DELETE', () => `/api/pbx/routes/${fixtures.route.id}`],
    ['POST', () => '/api/pbx/webhooks'],
    ['GET', () => '/api/pbx/webhooks'],
    ['GET', () => `/api/pbx/webhooks/${fixtures.webhook.id}`],
    ['PATCH', () => `/api/pbx/webhooks/${fixtures.webhook.id}`],
    ['DELETE', () => `/api/pbx/webhooks/${fixtures.webhook.id}`],
    ['GET', () => `/api/pbx/webhooks/${fixtures.webhook.id}/deliveries`],
    ['POST', () => `/api/pbx/webhooks/${fixtures.webhook.id}/deliveries/${fixtures.deliveryIds[0]}/redeliver`],
  ];
  const CALLS_ROUTES: Array<[method: string, path: () => string]> = [
    ['GET', () => '/api/pbx/caller-ids'],
    ['POST', () => '/api/pbx/calls/click-to-call'],
    ['GET', () => `/api/pbx/calls/${fixtures.callUuid}`],
    ['GET', () => '/api/pbx/cdrs'],
  ];
  const PUBLIC_ROUTES = ['/health', '/metrics', '/docs', '/docs/openapi.json'];

  /** A valid body for each write route: a calls token must be refused even when the request is right. */
  let unique = 0;
  const validBody = (method: string, path: string): unknown => {
    if (method === 'DELETE' || method === 'GET') return undefined;
    const n = 100_000 + unique++;
    if (path.endsWith('/redeliver')) return undefined;
    if (path.startsWith('/api/pbx/extensions')) return { number: `98${String(n).padStart(6, '0')}`, password: 'valid-password' };
    if (path.startsWith('/api/pbx/trunks')) return { name: `scope-${n}`, host: 'example.org' };
    if (path.startsWith('/api/pbx/caller-ids')) return { number: `0288${n}` };
    if (path.startsWith('/api/pbx/tokens')) return { name: 'escalate', scopes: ['admin'] };
    if (path.startsWith('/api/pbx/routes')) return { name: `scope-${n}`, pattern: '', trunk_ids: [fixtures.trunk.id] };
    if (path.startsWith('/api/pbx/webhooks')) return { url: 'https://attacker.example/hook', events: ['pbx.call.hangup'] };
    if (path.endsWith('/click-to-call')) return { from_extension: fixtures.callExtension.number, to_phone: '0987654321', trunk_id: fixtures.trunk.id };
    return {};
  };
  const jsonBody = (value: unknown): FuzzBody | undefined => (value === undefined ? undefined : { contentType: 'application/json', text: JSON.stringify(value) });

  it('a calls-scope token gets 403 forbidden on every admin route, even with a valid request, and changes nothing', async () => {
    const calls = readerPool[0];
    for (const [method, path] of ADMIN_ROUTES) {
      const req: Req = { method, path: path(), body: jsonBody(validBody(method, path())) };
      const answer = await probe(req, calls);
      expect({ route: `${method} ${req.path}`, status: answer.status, body: answer.json }).toEqual({
        route: `${method} ${req.path}`,
        status: 403,
        body: { error: { code: 'forbidden', message: expect.any(String), details: { required_scopes: ['admin'] } } },
      });
    }
    // while what the calls scope is for works with a calls token (409: the extension has no phone)
    for (const [method, path] of CALLS_ROUTES) {
      const answer = await probe({ method, path: path(), body: jsonBody(validBody(method, path())) }, spareCallsToken, { allow2xx: method === 'GET' });
      expect([`${method} ${path()}`, answer.status]).toEqual([`${method} ${path()}`, method === 'GET' ? 200 : 409]);
    }
  });

  it('a calls-scope token gets 403 on admin routes whatever the ids, bodies and query strings', async () => {
    // an id that is not valid percent-encoding fails in the router (422) before any guard runs
    const id = fc.oneof(fc.constant(FIXTURE), pathId.filter(isDecodable));
    const requests = fc.tuple(fc.integer({ min: 0, max: ADMIN_ROUTES.length - 1 }), id, fc.option(wellFormedBody({ number: digits(3, 10), name: safeText(20), scopes: fc.constant(['admin']) }), { nil: undefined }), queryString({ limit: fc.constant('1') }));
    await runProperty(
      requests,
      async ([index, generatedId, body, q]) => {
        const [method, path] = ADMIN_ROUTES[index];
        const concrete = path();
        // swap the fixture id for the generated one where the route has an id
        const withId = generatedId === FIXTURE ? concrete : concrete.replace(/^(\/api\/pbx\/[a-z-]+\/)[0-9]+/, (_, prefix: string) => `${prefix}${generatedId}`);
        const answer = await probe({ method, path: `${withId}${q}`, body }, readerToken());
        if (answer.status !== 403 || (answer.json as { error: { code: string } }).error.code !== 'forbidden') {
          throw new Error(`calls token not refused with 403 forbidden: ${method} ${withId}${q} → ${answer.status} ${answer.text.slice(0, 300)}`);
        }
      },
      RUNS.scope,
    );
  });

  it('a missing or garbage token gets 401 on every route; health, metrics and docs need none', async () => {
    for (const [method, path] of [...ADMIN_ROUTES, ...CALLS_ROUTES]) {
      for (const authorization of [undefined, 'Bearer pbx_not_a_real_token_0123456789', `Bearer ${adminPool[0]}x`, `Basic ${Buffer.from('admin:admin').toString('base64')}`, adminPool[0]]) {
        const req: Req = { method, path: path(), body: jsonBody(validBody(method, path())), headers: authorization === undefined ? {} : { Authorization: authorization } };
        const answer = await probe(req, null);
        expect({ route: `${method} ${req.path}`, authorization, status: answer.status, code: (answer.json as { error?: { code?: string } })?.error?.code }).toEqual({
          route: `${method} ${req.path}`,
          authorization,
          status: 401,
          code: 'unauthorized',
        });
      }
    }
    for (const path of PUBLIC_ROUTES) {
      for (const authorization of [undefined, 'Bearer garbage-garbage-garbage', 'Basic x']) {
        const answer = await send({ method: 'GET', path, headers: authorization ? { Authorization: authorization } : {} }, null);
        expect([path, authorization, answer.status]).toEqual([path, authorization, 200]);
      }
    }
  });

  it('random Authorization headers on every route: 401 unauthorized (public routes: 200), nothing written', async () => {
    const real = adminPool[1];
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
          const answer = await send(req, null);
          if (answer.status !== 200) throw new Error(`public route refused: ${describeReq(req, answer)}`);
          return;
        }
        const answer = await probe(req, null);
        if (answer.status !== 401 || (answer.json as { error: { code: string } }).error.code !== 'unauthorized') {
          throw new Error(`garbage Authorization not refused with 401: ${JSON.stringify(auth)?.slice(0, 200)} ${describeReq(req, answer)}`);
        }
      },
      RUNS.auth,
    );
  });

  // ---------------------------------------------------------------------------------------------
  // regressions: each 5xx this fuzzer found, pinned as one request (a 4xx or a 2xx is fine)

  const json = (text: string): FuzzBody => ({ contentType: 'application/json', text });
  const cursorOf = (raw: string) => Buffer.from(raw).toString('base64url');
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const KNOWN_5XX: Array<{ name: string; token: 'admin' | 'calls' | 'reader'; req: () => Req }> = [
    {
      name: 'POST /api/pbx/caller-ids with number "+" and 32 digits (the rule allows 33 characters, the column is varchar(32))',
      token: 'admin',
      req: () => ({ method: 'POST', path: '/api/pbx/caller-ids', body: json(JSON.stringify({ number: `+${'1'.repeat(32)}` })) }),
    },
    {
      name: 'POST /api/pbx/extensions with outbound_caller_id "+" and 32 digits (varchar(32))',
      token: 'admin',
      req: () => ({ method: 'POST', path: '/api/pbx/extensions', body: json(JSON.stringify({ number: '987659001', password: 'password-1', outbound_caller_id: `+${'1'.repeat(32)}` })) }),
    },
    {
      name: 'PATCH /api/pbx/extensions/:id with outbound_caller_id "+" and 32 digits (varchar(32))',
      token: 'admin',
      req: () => ({ method: 'PATCH', path: `/api/pbx/extensions/${fixtures.extension.id}`, body: json(JSON.stringify({ outbound_caller_id: `+${'1'.repeat(32)}` })) }),
    },
    {
      name: 'POST /api/pbx/routes with prepend "+" and 16 digits (the rule allows 17 characters, the column is varchar(16))',
      token: 'admin',
      req: () => ({ method: 'POST', path: '/api/pbx/routes', body: json(JSON.stringify({ name: 'fuzz-prepend', pattern: '0999', trunk_ids: [fixtures.trunk.id], prepend: `+${'0'.repeat(16)}` })) }),
    },
    {
      name: 'PATCH /api/pbx/routes/:id with prepend "+" and 16 digits (varchar(16))',
      token: 'admin',
      req: () => ({ method: 'PATCH', path: `/api/pbx/routes/${fixtures.route.id}`, body: json(JSON.stringify({ prepend: `+${'0'.repeat(16)}` })) }),
    },
    {
      name: 'POST /api/pbx/extensions with a field nested 5000 arrays deep (class-transformer recurses until RangeError)',
      token: 'admin',
      req: () => ({ method: 'POST', path: '/api/pbx/extensions', body: json(`{"number":"987659002","password":"password-1","x":${nested(5_000)}}`) }),
    },
    {
      name: 'PATCH /api/pbx/trunks/:id with a body nested 5000 arrays deep',
      token: 'admin',
      req: () => ({ method: 'PATCH', path: `/api/pbx/trunks/${fixtures.trunkB.id}`, body: json(`{"name":${nested(5_000)}}`) }),
    },
    {
      name: 'POST /api/pbx/calls/click-to-call with a field nested 5000 arrays deep',
      token: 'calls',
      req: () => ({ method: 'POST', path: '/api/pbx/calls/click-to-call', body: json(`{"from_extension":"${fixtures.callExtension.number}","to_phone":"0987654321","trunk_name":${nested(5_000)}}`) }),
    },
    {
      name: 'POST /api/pbx/calls/click-to-call with a NUL in trunk_name (PostgreSQL refuses 0x00 in text)',
      token: 'calls',
      req: () => ({ method: 'POST', path: '/api/pbx/calls/click-to-call', body: json(JSON.stringify({ from_extension: fixtures.callExtension.number, to_phone: '0987654321', trunk_name: 'a\u0000b' })) }),
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
      req: () => ({ method: 'GET', path: `/api/pbx/cdrs?cursor=${cursorOf('2026-03-01T00:00:00Z|9999999999999999999')}` }),
    },
  ];

  describe('regressions: inputs that gave a 5xx', () => {
    it.each(KNOWN_5XX)('$name', async ({ token, req }) => {
      const answer = await probe(req(), regression[token], { allow2xx: token !== 'calls' });
      expect(answer.status).not.toBe(429);
    });
  });
});

function isDecodable(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
