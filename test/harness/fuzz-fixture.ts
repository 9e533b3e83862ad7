import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { CALL_EVENT_TYPES } from '@pbx/call-events';
import { startTestApi, TestApi } from './api';
import { FuzzBody } from './fuzz-arbitraries';

/**
 * What the API fuzzing specs (test/faults/fuzz-*.fault-spec.ts, one per route group) share: the
 * API in this process, fixture rows of every family, token pools, and `probe`, which sends one
 * request and checks the invariants every route keeps: never a 5xx, every 4xx with the stable
 * error body and no row of any table changed, every 2xx JSON answer with `data`.
 *
 * A failing property prints its seed, path and shrunk counterexample. The seed is fixed, so a
 * run replays the same inputs; FUZZ_SEED=<n> explores others and FUZZ_RUNS_FACTOR=<x> scales the
 * number of runs (token pools scale with it).
 */

/** Every table of the schema: a refused request must leave each one exactly as it was. */
export const TABLES = [
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
  'ring_groups',
  'inbound_routes',
  'dial_policy',
] as const;
export type Table = (typeof TABLES)[number];

/** Row count and a content hash per table (api_tokens.last_used_at moves on every authenticated request). */
const FINGERPRINT_SQL = TABLES.map(
  (t) =>
    `SELECT '${t}' AS t, count(*)::int AS n, md5(coalesce(string_agg(x, ',' ORDER BY x), '')) AS h
       FROM (SELECT (to_jsonb(r)${t === 'api_tokens' ? " - 'last_used_at'" : ''})::text AS x FROM ${t} r) s`,
).join(' UNION ALL ');

type Fingerprint = Map<string, { n: number; h: string }>;

/** A request as the fuzzer generates it; the token is added when it is sent. */
export interface Req {
  method: string;
  /** path and query exactly as they go on the wire (already percent-encoded, or not on purpose) */
  path: string;
  body?: FuzzBody;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** Placeholder for "the fixture row of this family" in generated paths, resolved when sent. */
export const FIXTURE = ':fixture';
export const DELIVERY = ':delivery';

// a fixed seed: the same inputs on every run (FUZZ_SEED and FUZZ_RUNS_FACTOR: see above)
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x5eed_2026;
export const FACTOR = process.env.FUZZ_RUNS_FACTOR ? Number(process.env.FUZZ_RUNS_FACTOR) : 1;
export const runs = (n: number) => Math.max(1, Math.round(n * FACTOR));

// no time limit on purpose: a time-dependent cut would make the outcome depend on the machine
export const runProperty = <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns: number) =>
  fc.assert(fc.asyncProperty(arbitrary, predicate), { numRuns: runs(numRuns), seed: SEED });

/** The API runs in this process: a request that pollutes Object.prototype shows here. */
const PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).join(',');

export const describeReq = (req: Req, answer: Answer) =>
  `${req.method} ${req.path.slice(0, 300)}${req.body ? ` [${req.body.contentType ?? 'no content-type'}${req.body.contentEncoding ? `, ${req.body.contentEncoding}` : ''}] ${req.body.text.slice(0, 300)}` : ''} → ${answer.status} ${answer.text.slice(0, 400)}`;

export const jsonBody = (value: unknown): FuzzBody | undefined =>
  value === undefined ? undefined : { contentType: 'application/json', text: JSON.stringify(value) };

export function isDecodable(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Tokens a spec needs, made before the fixtures so that no fuzzed DELETE can reach them. */
export interface TokenPools {
  admin?: number;
  calls?: number;
  reader?: number;
}

export class FuzzFixture {
  api!: TestApi;
  db!: Client;
  private port = 0;
  readonly pools = { admin: [] as string[], calls: [] as string[], reader: [] as string[] };
  /** a calls token whose click-to-call budget nothing else uses (scope checks) */
  spareCallsToken = '';
  /** the regressions' own tokens: a budget spent by a failing property's shrinking cannot turn them into 429s */
  readonly regression = { admin: '', reader: '', calls: '' };
  private turn = 0;
  /** the highest id of each table before the fuzzer ran: rows at or under it are not the fuzzer's to change */
  private readonly baseline = new Map<string, number>();
  /** the highest id once the fixtures exist: rows above it were created by the fuzzer */
  readonly afterFixtures = new Map<string, number>();
  readonly fixtures = {
    extension: { id: 0, number: '987650001' },
    callExtension: { id: 0, number: '987650002' },
    trunk: { id: 0, name: 'fuzz-trunk-a' },
    trunkB: { id: 0, name: 'fuzz-trunk-b' },
    callerId: { id: 0, number: '0289876500' },
    route: { id: 0 },
    ringGroup: { id: 0 },
    inboundRoute: { id: 0 },
    webhook: { id: 0 },
    deliveryIds: [] as number[],
    callUuid: randomUUID(),
    cdrCursor: '',
    /** a cursor of GET /api/pbx/calls (the fixture call's) */
    callsCursor: '',
  };
  callsAtStart = 0;
  /** the database's clock when this spec file started */
  startedAt = new Date(0);
  private readonly stats = { requests: 0, byStatus: new Map<number, number>() };
  /** the dial policy when this spec file started, put back by stop() */
  private dialPolicy: { allowed_prefixes: string[]; denied_prefixes: string[] } | null = null;
  /** the tables compared around each request (all of them, unless something else writes to one) */
  private watched: readonly Table[] = TABLES;

  constructor(private readonly name: string) {}

  adminToken = (): string => this.pools.admin[this.turn++ % this.pools.admin.length];
  readerToken = (): string => this.pools.reader[this.turn++ % this.pools.reader.length];
  throttled = (): number => this.stats.byStatus.get(429) ?? 0;

  async start(pools: TokenPools): Promise<void> {
    this.api = await startTestApi();
    this.port = (this.api.app.getHttpServer().address() as AddressInfo).port;
    this.db = new Client({ connectionString: this.api.context.databaseUrl });
    await this.db.connect();
    this.startedAt = (await this.db.query('SELECT now() AS t')).rows[0].t;
    for (const table of [
      'extensions',
      'trunks',
      'caller_ids',
      'api_tokens',
      'outbound_routes',
      'webhook_subscriptions',
      'cdrs',
      'ring_groups',
      'inbound_routes',
    ])
      this.baseline.set(table, await this.maxId(table));
    this.dialPolicy = (await this.db.query('SELECT allowed_prefixes, denied_prefixes FROM dial_policy')).rows[0];

    // each token has its own budget: 10 click-to-call requests a minute, 600 for the rest
    const tokens = (count: number, scope: string) =>
      Promise.all(Array.from({ length: count }, () => this.api.newToken([scope])));
    this.pools.admin = await tokens(pools.admin ?? 0, 'admin');
    this.pools.calls = await tokens(pools.calls ?? 0, 'calls');
    this.pools.reader = await tokens(pools.reader ?? 0, 'calls');
    this.spareCallsToken = await this.api.newToken(['calls']);
    this.regression.admin = await this.api.newToken(['admin']);
    this.regression.reader = await this.api.newToken(['calls']);
    this.regression.calls = await this.api.newToken(['calls']);
    await this.createFixtures();
    for (const table of [
      'extensions',
      'trunks',
      'caller_ids',
      'api_tokens',
      'outbound_routes',
      'webhook_subscriptions',
      'ring_groups',
      'inbound_routes',
    ])
      this.afterFixtures.set(table, await this.maxId(table));

    // click-to-call must never be able to succeed here: the one extension it may name has no phone
    const registered = (await this.api.get(`/api/pbx/extensions/${this.fixtures.callExtension.id}`).expect(200)).body
      .data.registered;
    expect(registered).toBe(false);

    // nothing but the API under test may write while it is fuzzed; a process another test file
    // left running (a worker retrying webhooks) would be blamed on the fuzzer's requests
    const first = await this.fingerprint();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await this.fingerprint();
    const moving = TABLES.filter((t) => first.get(t)?.h !== second.get(t)?.h);
    if (moving.length > 0) {
      console.warn(
        `${this.name}: ${moving.join(', ')} change with no request (another process writes them): not compared around requests`,
      );
      this.watched = TABLES.filter((t) => !moving.includes(t));
    }
  }

  /** Fixture rows of every family, a past call with deliveries in every state, and call history. */
  private async createFixtures(): Promise<void> {
    const { fixtures, db } = this;
    const post = async (path: string, body: unknown) => (await this.api.post(path, body).expect(201)).body.data;
    fixtures.extension.id = (
      await post('/api/pbx/extensions', {
        number: fixtures.extension.number,
        password: 'fuzz-password-1',
        display_name: 'Fuzz A',
      })
    ).id;
    fixtures.callExtension.id = (
      await post('/api/pbx/extensions', {
        number: fixtures.callExtension.number,
        password: 'fuzz-password-2',
        outbound_caller_id: '0289876501',
      })
    ).id;
    fixtures.trunk.id = (
      await post('/api/pbx/trunks', { name: fixtures.trunk.name, host: '127.0.0.9', port: 5999 })
    ).id;
    fixtures.trunkB.id = (
      await post('/api/pbx/trunks', {
        name: fixtures.trunkB.name,
        host: 'sip.example.net',
        inbound_addresses: ['198.51.100.0/28'],
        port: 5998,
        transport: 'tcp',
        username: 'acct',
        password: 'secret',
      })
    ).id;
    fixtures.callerId.id = (
      await post('/api/pbx/caller-ids', {
        number: fixtures.callerId.number,
        label: 'Fuzz',
        trunk_id: fixtures.trunk.id,
      })
    ).id;
    fixtures.route.id = (
      await post('/api/pbx/routes', {
        name: 'fuzz-route',
        pattern: '0987',
        trunk_ids: [fixtures.trunk.id, fixtures.trunkB.id],
      })
    ).id;
    // routing names the extension click-to-call uses, which no family renumbers or deletes
    fixtures.ringGroup.id = (
      await post('/api/pbx/ring-groups', { name: 'fuzz-group', members: [fixtures.callExtension.number] })
    ).id;
    fixtures.inboundRoute.id = (
      await post('/api/pbx/inbound-routes', {
        did: '+842898765000',
        trunk_id: fixtures.trunk.id,
        destination: { type: 'ring_group', id: fixtures.ringGroup.id },
      })
    ).id;
    // inactive: no dispatcher should ever pick up the seeded deliveries
    fixtures.webhook.id = (
      await post('/api/pbx/webhooks', { url: 'http://127.0.0.1:9/fuzz', events: [...CALL_EVENT_TYPES], active: false })
    ).id;

    // a past call with its events, deliveries in every state and attempts, and call history
    const call = fixtures.callUuid;
    await db.query(
      `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, extension, from_number, to_phone, to_number, caller_id, routing_mode, last_sequence, disposition, ended_at)
       VALUES ($1, 'ended', $2, $3, $4, $4, $4, '0987000000', '0987000000', $4, 'direct_gateway', 4, 'ANSWERED', now())`,
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
      await db.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, error) VALUES ($1, 1, now(), 12, 'connect ECONNREFUSED')`,
        [deliveryId],
      );
    }
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30; i++) {
      const started = new Date(base + i * 60_000);
      await db.query(
        `INSERT INTO cdrs (call_uuid, from_extension, extension, from_number, to_phone, to_number, caller_id, routing_mode, started_at, ended_at, duration, billsec, disposition, a_leg_uuid)
         VALUES ($1, $2, $2, $2, $3, $3, $2, 'direct_gateway', $4, $5, 30, 20, $6, $7)`,
        [
          randomUUID(),
          fixtures.callExtension.number,
          `09${String(i).padStart(8, '0')}`,
          started,
          new Date(started.getTime() + 30_000),
          ['ANSWERED', 'BUSY', 'NO ANSWER'][i % 3],
          randomUUID(),
        ],
      );
    }
    this.callsAtStart = Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n);
    fixtures.cdrCursor = (
      await this.api
        .get(`/api/pbx/cdrs?limit=5&extension=${fixtures.callExtension.number}`, this.spareCallsToken)
        .expect(200)
    ).body.next_cursor;
    // what GET /api/pbx/calls would give as the cursor after the fixture call
    const at = (
      await db.query(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM calls WHERE call_uuid = $1`,
        [call],
      )
    ).rows[0].at as string;
    fixtures.callsCursor = Buffer.from(`${at}|${call}`).toString('base64url');
  }

  /** Removes the fixtures and whatever the fuzzer created: later spec files must not see them. */
  async stop(): Promise<void> {
    if (this.db) {
      try {
        const above = (table: string) => this.baseline.get(table) ?? Number.MAX_SAFE_INTEGER;
        await this.db.query('DELETE FROM caller_ids WHERE id > $1', [above('caller_ids')]);
        await this.db.query('DELETE FROM outbound_routes WHERE id > $1', [above('outbound_routes')]);
        await this.db.query('DELETE FROM inbound_routes WHERE id > $1', [above('inbound_routes')]);
        await this.db.query('DELETE FROM ring_groups WHERE id > $1', [above('ring_groups')]);
        if (this.dialPolicy)
          await this.db.query('UPDATE dial_policy SET allowed_prefixes = $1, denied_prefixes = $2', [
            this.dialPolicy.allowed_prefixes,
            this.dialPolicy.denied_prefixes,
          ]);
        await this.db.query('DELETE FROM webhook_subscriptions WHERE id > $1', [above('webhook_subscriptions')]);
        await this.db.query('DELETE FROM calls WHERE call_uuid = $1', [this.fixtures.callUuid]);
        await this.db.query('DELETE FROM cdrs WHERE id > $1', [above('cdrs')]);
        await this.db.query('DELETE FROM extensions WHERE id > $1', [above('extensions')]);
        await this.db.query(
          'DELETE FROM trunks WHERE id > $1 AND id NOT IN (SELECT trunk_id FROM outbound_route_trunks) AND id NOT IN (SELECT trunk_id FROM caller_ids WHERE trunk_id IS NOT NULL) AND id NOT IN (SELECT trunk_id FROM inbound_routes WHERE trunk_id IS NOT NULL)',
          [above('trunks')],
        );
        await this.db.query("DELETE FROM api_tokens WHERE id > $1 AND NOT (name LIKE 'bootstrap admin%')", [
          above('api_tokens'),
        ]);
      } finally {
        await this.db.end();
      }
    }
    if (this.stats.requests > 0) {
      const byStatus = [...this.stats.byStatus.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');

      console.log(`${this.name}: ${this.stats.requests} requests; statuses ${byStatus}`);
    }
    await this.api?.close();
  }

  send(req: Req, token: string | null): Promise<Answer> {
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
      const request = http.request(
        { host: '127.0.0.1', port: this.port, method: req.method, path: req.path, headers, agent: false },
        (response) => {
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
            this.stats.requests++;
            this.stats.byStatus.set(
              response.statusCode ?? 0,
              (this.stats.byStatus.get(response.statusCode ?? 0) ?? 0) + 1,
            );
            resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
          });
        },
      );
      // the server may answer (413) and close before it has read a large body: the answer counts
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      request.setTimeout(20_000, () =>
        request.destroy(new Error(`no answer in 20 s: ${req.method} ${req.path.slice(0, 200)}`)),
      );
      request.end(payload);
    });
  }

  /**
   * Sends one request and checks the invariants: never 5xx; a 4xx has the error body and
   * changes nothing in the database; a 2xx JSON answer has `data` (and may change rows).
   */
  async probe(req: Req, token: string | null, options: { allow2xx?: boolean } = {}): Promise<Answer> {
    const before = await this.fingerprint();
    const answer = await this.send(req, token);
    if (answer.status >= 500) throw new Error(`5xx: ${describeReq(req, answer)}`);
    const prototypeNow = Object.getOwnPropertyNames(Object.prototype).join(',');
    if (prototypeNow !== PROTOTYPE)
      throw new Error(`Object.prototype changed (${prototypeNow}): ${describeReq(req, answer)}`);
    if (answer.status >= 400) {
      assertErrorBody(req, answer);
      const changed = this.changes(before, await this.fingerprint());
      if (changed.length > 0)
        throw new Error(
          `a refused request (${answer.status}) changed ${changed.join(', ')}: ${describeReq(req, answer)}`,
        );
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

  /**
   * The fuzzer may change its own rows and the fixtures, never rows other tests left (a random
   * id like 1 names the bootstrap admin token): such a run is skipped (fc.pre).
   */
  async allowedToTouch(table: Table, segment: string, method: string, fixtureId: number): Promise<boolean> {
    if (method !== 'PATCH' && method !== 'DELETE' && method !== 'POST') return true;
    const id = canonicalId(segment);
    if (id === null) return true;
    if (id > (this.afterFixtures.get(table) ?? Infinity)) return true;
    if (id === fixtureId && method !== 'DELETE') return true;
    const exists = (await this.db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount ?? 0;
    return exists === 0;
  }

  private async fingerprint(): Promise<Fingerprint> {
    const rows = (await this.db.query(FINGERPRINT_SQL)).rows as Array<{ t: string; n: number; h: string }>;
    return new Map(rows.map((r) => [r.t, { n: r.n, h: r.h }]));
  }

  private changes(before: Fingerprint, after: Fingerprint): string[] {
    return this.watched
      .filter((t) => before.get(t)?.h !== after.get(t)?.h)
      .map((t) => `${t} (${before.get(t)?.n} → ${after.get(t)?.n} rows)`);
  }

  private async maxId(table: string): Promise<number> {
    return Number((await this.db.query(`SELECT coalesce(max(id), 0) AS m FROM ${table}`)).rows[0].m);
  }
}

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
  if (!ok)
    throw new Error(`4xx without the error body { error: { code, message, details } }: ${describeReq(req, answer)}`);
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
