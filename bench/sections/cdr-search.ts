import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { ApiClient } from '../../test/harness/api-client';
import { AppProcess } from '../../test/harness/processes';
import { DISPOSITIONS, ensureCdrDataset, PERIOD_DAYS, PERIOD_START } from '../lib/cdr-generator';
import { summary } from '../lib/stats';
import { BenchFigure, BenchSection, figure, round } from '../lib/types';
import type { SectionDefinition } from './index';

/**
 * CDR search on BENCH_CDR_ROWS (10 million) generated rows: GET /api/pbx/cdrs through the built
 * API as a real process (HTTP, auth, throttling, validation, TypeORM, mapping) against the same
 * SELECT sent straight to PostgreSQL with `pg` (same WHERE, ORDER BY and LIMIT 101), request by
 * request with the same parameters, alternating which of the two goes first.
 *
 * Shapes: (1) a 7-day window + phone (the external party, every direction; a third sent with a
 * leading `+`), (2) a 30-day window + extension + disposition, (3) keyset paging with limit 100
 * over a 90-day window, first page then following next_cursor, (4) a 7-day window +
 * direction=inbound, (5) a 30-day window + did (a DID of a generated inbound call): (4) and (5)
 * return full pages. Target: API p99 ≤ 50 ms for each.
 *
 * Environment: BENCH_CDR_ROWS (10000000), BENCH_CDR_SAMPLES per shape (400), BENCH_CDR_DB
 * (pbx_bench_cdrs: the database generated and kept between runs),
 * BENCH_CDR_PAGES per cursor walk (10), BENCH_CDR_FRESH=1 to regenerate, BENCH_CDR_PORT (24500),
 * BENCH_CDR_SEED (random, printed), BENCH_DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const TARGET_MS = 50;
const LIMIT = 100;
/** the API allows 600 requests a minute per token: a new calls token every this many requests */
const REQUESTS_PER_TOKEN = 500;
const DAY_MS = 86_400_000;

const env = (name: string, fallback: number): number => {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};

interface Query {
  from: string;
  to: string;
  phone?: string;
  extension?: string;
  disposition?: string;
  direction?: string;
  did?: string;
  cursor?: { startedAt: string; id: string };
}

interface Sample {
  query: Query;
  apiMs: number;
  sqlMs: number;
  rows: number;
}

interface Shape {
  key: string;
  label: string;
  samples: Sample[];
  mismatches: number;
}

async function run(): Promise<BenchSection> {
  const sectionStart = performance.now();
  const rows = env('BENCH_CDR_ROWS', 10_000_000);
  const samplesPerShape = env('BENCH_CDR_SAMPLES', 400);
  const pagesPerWalk = env('BENCH_CDR_PAGES', 10);
  const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // a new seed each run (re-runs on a kept dataset must not find their pages already cached);
  // BENCH_CDR_SEED repeats a run's parameters
  const seed = env('BENCH_CDR_SEED', 1 + Math.floor(Math.random() * 2 ** 31));
  const random = mulberry32(seed);

  const dataset = await ensureCdrDataset({
    adminUrl,
    dbName: process.env.BENCH_CDR_DB?.trim() || 'pbx_bench_cdrs',
    rows,
    fresh: process.env.BENCH_CDR_FRESH === '1',
  });
  const db = new Client({ connectionString: dataset.databaseUrl });
  await db.connect();
  const { api, client } = await apiWithoutAsterisk(dataset.databaseUrl, env('BENCH_CDR_PORT', 24500));
  try {
    const cache = await warmCache(db);
    console.log(`[cdr-search] ${cache}`);
    await api.start(30_000);
    const tokens = new CallsTokens(client);
    const pool = await samplePool(db, rows, random);
    const bench = new Runner(client, tokens, db);

    // (1) 7-day window + phone: the window holds the chosen call (any direction but internal)
    const withPhone = pool.filter((r) => r.phone !== null);
    const byPhone: Query[] = Array.from({ length: samplesPerShape }, () => {
      const row = pick(withPhone, random);
      return { ...windowAround(row.startedAt, 7, random), phone: `${random() < 0.33 ? '+' : ''}${row.phone}` };
    });
    // (2) 30-day window + extension + disposition: each disposition equally often (rare ones are
    // the slow ones), the extension and window from a call with that disposition
    const byExtension: Query[] = Array.from({ length: samplesPerShape }, () => {
      const disposition = DISPOSITIONS[Math.floor(random() * DISPOSITIONS.length)];
      const row = pick(
        pool.filter((r) => r.disposition === disposition && r.extension !== null),
        random,
      );
      return { ...windowAround(row.startedAt, 30, random), extension: row.extension!, disposition };
    });
    // (4) 7-day window + direction=inbound, (5) 30-day window + the DID of an inbound call
    const inbound = pool.filter((r) => r.did !== null);
    const byDirection: Query[] = Array.from({ length: samplesPerShape }, () => ({
      ...windowAround(pick(pool, random).startedAt, 7, random),
      direction: 'inbound',
    }));
    const byDid: Query[] = Array.from({ length: samplesPerShape }, () => {
      const row = pick(inbound, random);
      return { ...windowAround(row.startedAt, 30, random), did: row.did! };
    });
    // (3) keyset paging over a 90-day window inside the data
    const walks = Math.max(1, Math.round(samplesPerShape / pagesPerWalk));
    const windows: Query[] = Array.from({ length: walks }, () => {
      const endDay = 90 + Math.floor(random() * (PERIOD_DAYS - 89));
      const to = Date.parse(PERIOD_START) + endDay * DAY_MS;
      return { from: new Date(to - 90 * DAY_MS).toISOString(), to: new Date(to).toISOString() };
    });

    const loadBefore = os.loadavg().map((l) => round(l));
    console.log(`[cdr-search] warm-up (seed ${seed}, load average ${loadBefore.join(' ')})`);
    for (const query of [
      ...byPhone.slice(0, 20),
      ...byExtension.slice(0, 20),
      ...windows.slice(0, 5),
      ...byDirection.slice(0, 10),
      ...byDid.slice(0, 20),
    ])
      await bench.once(query, 0, null);

    const shapes: Shape[] = [
      { key: 'phone', label: '7d window + phone', samples: [], mismatches: 0 },
      { key: 'extension', label: '30d window + ext + disposition', samples: [], mismatches: 0 },
      { key: 'cursor', label: 'cursor page (limit 100, 90d)', samples: [], mismatches: 0 },
      { key: 'direction', label: '7d window + direction=inbound', samples: [], mismatches: 0 },
      { key: 'did', label: '30d window + did', samples: [], mismatches: 0 },
    ];
    const [s1, s2, s3, s4, s5] = shapes;
    for (const [i, query] of byPhone.entries()) s1.mismatches += await bench.measure(query, i, s1.samples);
    console.log(`[cdr-search] ${s1.label}: ${line(s1)}`);
    for (const [i, query] of byExtension.entries()) s2.mismatches += await bench.measure(query, i, s2.samples);
    console.log(`[cdr-search] ${s2.label}: ${line(s2)}`);
    const pageDepth: number[] = [];
    for (const [w, window] of windows.entries()) {
      // API and SQL walk the same pages; each follows its own cursor (the API's next_cursor, the
      // SQL's last row), and the pages are compared
      let apiCursor: string | null = null;
      let sqlCursor: Query['cursor'] = undefined;
      for (let page = 0; page < pagesPerWalk; page++) {
        const query: Query = { ...window, cursor: sqlCursor };
        const outcome = await bench.page(query, apiCursor, w * pagesPerWalk + page);
        s3.samples.push(outcome.sample);
        pageDepth.push(page);
        if (outcome.mismatch) s3.mismatches++;
        if (!outcome.apiNext || !outcome.sqlNext) break;
        apiCursor = outcome.apiNext;
        sqlCursor = outcome.sqlNext;
      }
    }
    console.log(`[cdr-search] ${s3.label}: ${line(s3)}`);
    for (const [i, query] of byDirection.entries()) s4.mismatches += await bench.measure(query, i, s4.samples);
    console.log(`[cdr-search] ${s4.label}: ${line(s4)}`);
    for (const [i, query] of byDid.entries()) s5.mismatches += await bench.measure(query, i, s5.samples);
    console.log(`[cdr-search] ${s5.label}: ${line(s5)}`);
    const loadAfter = os.loadavg().map((l) => round(l));

    const figures: BenchFigure[] = [];
    for (const shape of shapes) {
      const apiMs = summary(shape.samples.map((s) => s.apiMs));
      const sqlMs = summary(shape.samples.map((s) => s.sqlMs));
      figures.push(
        figure(`${shape.label}: p50`, 'ms', apiMs.p50, sqlMs.p50, { note: 'API vs the same SELECT with pg' }),
      );
      figures.push(
        figure(`${shape.label}: p99`, 'ms', apiMs.p99, sqlMs.p99, {
          target: `≤ ${TARGET_MS} ms`,
          met: apiMs.p99 <= TARGET_MS,
          note: 'API vs the same SELECT with pg',
        }),
      );
    }

    const explain: Record<string, unknown> = {};
    for (const shape of shapes) {
      const bySql = [...shape.samples].sort((a, b) => a.sqlMs - b.sqlMs);
      explain[shape.key] = {
        median_case: await explainQuery(db, bySql[Math.floor(bySql.length / 2)].query),
        slowest_case: await explainQuery(db, bySql[bySql.length - 1].query),
      };
    }
    // the heaviest filter combinations, whatever the random draws were: the busiest phone over
    // 7 days, and the busiest extension with the rarest disposition over 30 days (every call of
    // that extension in the window is read from the heap to check the disposition)
    const busiest = (
      await db.query(`SELECT (SELECT external_number FROM cdrs WHERE external_number IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS phone,
      (SELECT extension FROM cdrs WHERE extension IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS extension,
      (SELECT did FROM cdrs WHERE did IS NOT NULL GROUP BY 1 ORDER BY count(*) ASC LIMIT 1) AS quietest_did`)
    ).rows[0];
    const mid = Date.parse(PERIOD_START) + 150 * DAY_MS;
    explain.worst_cases = {
      busiest_phone_7d: await explainQuery(db, {
        from: new Date(mid).toISOString(),
        to: new Date(mid + 7 * DAY_MS).toISOString(),
        phone: busiest.phone,
      }),
      busiest_extension_cancelled_30d: await explainQuery(db, {
        from: new Date(mid).toISOString(),
        to: new Date(mid + 30 * DAY_MS).toISOString(),
        extension: busiest.extension,
        disposition: 'CANCELLED',
      }),
      quietest_did_30d: await explainQuery(db, {
        from: new Date(mid).toISOString(),
        to: new Date(mid + 30 * DAY_MS).toISOString(),
        did: busiest.quietest_did,
      }),
      inbound_cancelled_7d: await explainQuery(db, {
        from: new Date(mid).toISOString(),
        to: new Date(mid + 7 * DAY_MS).toISOString(),
        direction: 'inbound',
        disposition: 'CANCELLED',
      }),
    };
    await tokens.removeAll();

    const sectionSeconds = round((performance.now() - sectionStart) / 1000, 1);
    return {
      section: 'cdr-search',
      description: `GET /api/pbx/cdrs (built API process, calls token) vs the same SELECT with pg, on ${rows.toLocaleString('en')} generated CDRs`,
      figures,
      details: {
        rows,
        seed,
        generated_this_run: dataset.generated,
        generation_s: dataset.timings_s,
        table_size: dataset.table_size,
        indexes: dataset.indexes,
        marker: dataset.marker,
        section_s: sectionSeconds,
        cache,
        // 1/5/15-minute load averages on this machine before and after the measurements: anything
        // else running (tests, other benchmarks) shares the cores with the API and PostgreSQL
        load_average: { before: loadBefore, after: loadAfter, cpus: os.cpus().length },
        requests: Object.fromEntries(
          shapes.map((s) => [
            s.key,
            {
              n: s.samples.length,
              api_ms: rounded(summary(s.samples.map((x) => x.apiMs))),
              sql_ms: rounded(summary(s.samples.map((x) => x.sqlMs))),
              rows_returned: rounded(summary(s.samples.map((x) => x.rows))),
              empty_results: s.samples.filter((x) => x.rows === 0).length,
              full_pages: s.samples.filter((x) => x.rows === LIMIT).length,
              api_sql_result_mismatches: s.mismatches,
            },
          ]),
        ),
        cursor_first_page_api_p50_ms: round(
          summary(s3.samples.filter((_, i) => pageDepth[i] === 0).map((x) => x.apiMs)).p50,
        ),
        cursor_later_pages_api_p50_ms: round(
          summary(s3.samples.filter((_, i) => pageDepth[i] > 0).map((x) => x.apiMs)).p50,
        ),
        by_disposition: Object.fromEntries(
          DISPOSITIONS.map((d) => {
            const of = s2.samples.filter((x) => x.query.disposition === d);
            const a = summary(of.map((x) => x.apiMs));
            const q = summary(of.map((x) => x.sqlMs));
            return [
              d,
              {
                n: of.length,
                api_p50_ms: round(a.p50),
                api_max_ms: round(a.max),
                sql_p50_ms: round(q.p50),
                sql_max_ms: round(q.max),
              },
            ];
          }),
        ),
        explain,
        method:
          'sequential requests after a warm-up; per request the API (keep-alive HTTP, whole JSON body read) and the pg query (same SQL shape as the service, LIMIT 101, rows parsed) run with the same parameters, alternating which goes first; parameters drawn from generated rows so they hit real data; a new calls token every 500 requests (600/min/token limit)',
        api_log: api.logFile,
      },
    };
  } finally {
    client.close();
    await api.stop();
    await db.end();
  }
}

export const cdrSearch: SectionDefinition = { name: 'cdr-search', run };

// ---------------------------------------------------------------------------------------------

/**
 * The built API (dist/) with no Asterisk: AMI and ARI point at closed ports, so /health is 503
 * and readiness is a CDR search answering 200. Its client sends requests one at a time on one
 * kept-alive socket, so a sample times the API, not a new connection or fetch's own work.
 */
async function apiWithoutAsterisk(databaseUrl: string, port: number): Promise<{ api: AppProcess; client: ApiClient }> {
  const adminToken = randomBytes(16).toString('hex');
  const closed = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NO_COLOR: '1',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    PBX_ADMIN_TOKEN: adminToken,
    ARI_URL: `http://127.0.0.1:${closed}`,
    ARI_PASSWORD: 'bench-no-asterisk',
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(closed),
    AMI_PASSWORD: 'bench-no-asterisk',
  };
  const client = new ApiClient(`http://127.0.0.1:${port}`, adminToken, { keepAlive: true });
  const api = new AppProcess('api', env, {
    logDir: path.join(ROOT, '.pbx', 'bench-logs'),
    logName: `api-cdr-search-${port}.log`,
    truncateLog: true,
    ready: async () => (await client.request('GET', '/api/pbx/cdrs?limit=1')).status === 200,
  });
  return { api, client };
}

/** calls-scope tokens made with the admin token, a new one before the per-token budget runs out. */
class CallsTokens {
  private current?: { id: number; token: string; uses: number };
  private readonly made: number[] = [];

  constructor(private readonly client: ApiClient) {}

  async next(): Promise<string> {
    if (!this.current || this.current.uses >= REQUESTS_PER_TOKEN) {
      this.current = { ...(await this.client.newToken(`bench-cdr-search-${this.made.length + 1}`)), uses: 0 };
      this.made.push(this.current.id);
    }
    this.current.uses++;
    return this.current.token;
  }

  async removeAll(): Promise<void> {
    for (const id of this.made) await this.client.request('DELETE', `/api/pbx/tokens/${id}`);
  }
}

/** The service's SELECT (libs/cdrs/src/cdrs.service.ts), for the baseline and EXPLAIN. */
function sqlOf(query: Query): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    values.push(value);
    where.push(clause(`$${values.length}`));
  };
  add((n) => `c.started_at >= ${n}`, query.from);
  add((n) => `c.started_at < ${n}`, query.to);
  if (query.direction) add((n) => `c.direction = ${n}`, query.direction);
  if (query.extension) add((n) => `c.extension = ${n}`, query.extension);
  if (query.phone) add((n) => `c.external_number = ${n}`, query.phone.replace(/^\+/, ''));
  if (query.did) add((n) => `c.did = ${n}`, query.did.replace(/^\+/, ''));
  if (query.disposition) add((n) => `c.disposition = ${n}`, query.disposition);
  if (query.cursor) {
    values.push(query.cursor.startedAt, query.cursor.id);
    where.push(`(c.started_at, c.id) < ($${values.length - 1}, $${values.length})`);
  }
  return {
    text: `SELECT c.* FROM cdrs c WHERE ${where.join(' AND ')} ORDER BY c.started_at DESC, c.id DESC LIMIT ${LIMIT + 1}`,
    values,
  };
}

function apiPath(query: Query, cursor: string | null): string {
  const params = new URLSearchParams({ from: query.from, to: query.to });
  if (query.direction) params.set('direction', query.direction);
  if (query.extension) params.set('extension', query.extension);
  if (query.phone) params.set('phone', query.phone);
  if (query.did) params.set('did', query.did);
  if (query.disposition) params.set('disposition', query.disposition);
  params.set('limit', String(LIMIT));
  if (cursor) params.set('cursor', cursor);
  return `/api/pbx/cdrs?${params}`;
}

interface Outcome {
  sample: Sample;
  mismatch: boolean;
  apiNext: string | null;
  sqlNext: Query['cursor'] | null;
}

class Runner {
  constructor(
    private readonly api: ApiClient,
    private readonly tokens: CallsTokens,
    private readonly db: Client,
  ) {}

  /** Both sides once, API first on even i, SQL first on odd i. */
  async once(query: Query, i: number, apiCursor: string | null): Promise<Outcome> {
    const token = await this.tokens.next();
    const sql = sqlOf(query);
    const path = apiPath(query, apiCursor);
    let apiMs = 0;
    let sqlMs = 0;
    let api: { status: number; body: any } | undefined;
    let rows: any[] = [];
    const callApi = async () => {
      const t0 = performance.now();
      api = await this.api.request('GET', path, undefined, token);
      apiMs = performance.now() - t0;
    };
    const callSql = async () => {
      const t0 = performance.now();
      rows = (await this.db.query(sql)).rows;
      sqlMs = performance.now() - t0;
    };
    if (i % 2 === 0) {
      await callApi();
      await callSql();
    } else {
      await callSql();
      await callApi();
    }
    if (!api || api.status !== 200)
      throw new Error(`GET ${path} answered ${api?.status}: ${JSON.stringify(api?.body)}`);
    const apiUuids: string[] = api.body.data.map((c: { call_uuid: string }) => c.call_uuid);
    const page = rows.slice(0, LIMIT);
    const sqlUuids = page.map((r) => r.call_uuid as string);
    const last = page[page.length - 1];
    const sqlNext =
      rows.length > LIMIT && last ? { startedAt: (last.started_at as Date).toISOString(), id: String(last.id) } : null;
    const mismatch = apiUuids.join() !== sqlUuids.join() || (api.body.next_cursor === null) !== (sqlNext === null);
    return { sample: { query, apiMs, sqlMs, rows: apiUuids.length }, mismatch, apiNext: api.body.next_cursor, sqlNext };
  }

  async measure(query: Query, i: number, into: Sample[]): Promise<number> {
    const outcome = await this.once(query, i, null);
    into.push(outcome.sample);
    return outcome.mismatch ? 1 : 0;
  }

  page(query: Query, apiCursor: string | null, i: number): Promise<Outcome> {
    return this.once(query, i, apiCursor);
  }
}

interface PoolRow {
  id: string;
  extension: string | null;
  /** the external party (null for internal calls) */
  phone: string | null;
  did: string | null;
  disposition: string;
  startedAt: Date;
}

/** 20,000 calls chosen uniformly by id (so busy phones and extensions come up as often as they call). */
async function samplePool(db: Client, rows: number, random: () => number): Promise<PoolRow[]> {
  const ids = Array.from({ length: 20_000 }, () => 1 + Math.floor(random() * rows));
  const result = await db.query(
    `SELECT id, extension, external_number, did, disposition, started_at FROM cdrs WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return result.rows.map((r) => ({
    id: r.id,
    extension: r.extension,
    phone: r.external_number,
    did: r.did,
    disposition: r.disposition,
    startedAt: r.started_at,
  }));
}

/** A window of `days` whole UTC days that contains `at`. */
function windowAround(at: Date, days: number, random: () => number): { from: string; to: string } {
  const day = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  const from = day - Math.floor(random() * days) * DAY_MS;
  return { from: new Date(from).toISOString(), to: new Date(from + days * DAY_MS).toISOString() };
}

async function explainQuery(db: Client, query: Query): Promise<Record<string, unknown>> {
  const sql = sqlOf(query);
  const { rows } = await db.query({ text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql.text}`, values: sql.values });
  const plan = rows[0]['QUERY PLAN'][0];
  const chain: string[] = [];
  for (let node = plan.Plan; node; node = node.Plans?.[0]) {
    const parts = [
      node['Node Type'],
      node['Index Name'] ? `using ${node['Index Name']}` : '',
      `rows=${node['Actual Rows']}`,
    ];
    if (node['Rows Removed by Filter']) parts.push(`removed by filter=${node['Rows Removed by Filter']}`);
    chain.push(parts.filter(Boolean).join(' '));
  }
  return {
    query: { ...query, cursor: query.cursor ? `${query.cursor.startedAt}|${query.cursor.id}` : undefined },
    top_node: plan.Plan['Node Type'],
    plan: chain.join(' -> '),
    execution_ms: plan['Execution Time'],
    planning_ms: plan['Planning Time'],
    shared_hit: plan.Plan['Shared Hit Blocks'],
    shared_read: plan.Plan['Shared Read Blocks'],
  };
}

/** Reads the table and its indexes into the OS page cache (pg_prewarm 'read'), as a warm server has them. */
async function warmCache(db: Client): Promise<string> {
  const t0 = performance.now();
  const settings = (
    await db.query(`SELECT current_setting('shared_buffers') AS sb, current_setting('effective_cache_size') AS ecs`)
  ).rows[0];
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const { rows } = await db.query(
      `SELECT sum(pg_prewarm(c.oid, 'read'))::bigint AS blocks FROM pg_class c WHERE c.oid = 'cdrs'::regclass OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'cdrs'::regclass)`,
    );
    return `pg_prewarm read ${rows[0].blocks} blocks (table + indexes) into the OS cache in ${((performance.now() - t0) / 1000).toFixed(1)} s; shared_buffers ${settings.sb}`;
  } catch (error) {
    return `no pg_prewarm (${error instanceof Error ? error.message : String(error)}); shared_buffers ${settings.sb}`;
  }
}

function pick<T>(items: T[], random: () => number): T {
  if (items.length === 0) throw new Error('nothing to pick from');
  return items[Math.floor(random() * items.length)];
}

function rounded(s: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]));
}

function line(shape: Shape): string {
  const a = summary(shape.samples.map((s) => s.apiMs));
  const q = summary(shape.samples.map((s) => s.sqlMs));
  return `n=${a.n} API p50 ${a.p50.toFixed(2)} p99 ${a.p99.toFixed(2)} ms, SQL p50 ${q.p50.toFixed(2)} p99 ${q.p99.toFixed(2)} ms, mismatches ${shape.mismatches}`;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A port nothing listens on (bound then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
