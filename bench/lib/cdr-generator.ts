import { Client } from 'pg';
import { migrate } from '../../libs/database/src/migrate';

/**
 * Fills the `cdrs` table of a dedicated database with generated call detail records, fast and
 * server-side (INSERT ... SELECT FROM generate_series, chunks on two connections), with every
 * index of the table dropped during the load and rebuilt after it from its own definition, then
 * VACUUM and ANALYZE. A finished load leaves a marker (COMMENT ON TABLE cdrs) so a later run with
 * the same generator version and row count reuses the data instead of generating it again.
 *
 * Distribution (GENERATOR_VERSION pins it):
 * - started_at over the 365 days from 2025-01-01 UTC, in id order (as real CDRs are written at
 *   hangup) with up to a minute of jitter, millisecond precision like the CDRs the API writes;
 * - 2,000 extensions of 3, 4, 6 and 10 digits, skewed (busiest ≈ 60,000 calls, median ≈ 3,500);
 * - ≈ 2,000,000 distinct customer numbers: 80 % of the calls spread evenly over 2,000,000 numbers,
 *   20 % on 20,000 frequent ones (skewed: the busiest ≈ 14,000 calls);
 * - dispositions 60 % ANSWERED, 20 % NO ANSWER, 10 % BUSY, 7 % FAILED, 3 % CANCELLED, with
 *   consistent ring/talk times, legs, hangup causes and who hung up;
 * - directions 30 % click-to-call, 30 % outbound, 30 % inbound, 10 % internal, with the
 *   direction-neutral fields as the writer fills them (SPEC section 2): the customer number is
 *   to_number (click-to-call, outbound) or from_number (inbound, with a leading `+` on a third
 *   of them, which `phone` ignores), an inbound call's extension is the one that answered (null
 *   when none did), an internal call's to_number another extension;
 * - inbound calls to DID_COUNT numbers of ours, skewed (the busiest ≈ 7 % of inbound calls,
 *   the quietest ≈ 0.25 %, so any DID fills a page in a 30-day window at 10 M rows).
 */
export const GENERATOR_VERSION = 2;
export const PERIOD_START = '2025-01-01T00:00:00Z';
export const PERIOD_DAYS = 365;
export const EXTENSION_COUNT = 2_000;
export const DID_COUNT = 200;
export const DIRECTIONS = ['click_to_call', 'outbound', 'inbound', 'internal'] as const;
export const DISPOSITIONS = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED'] as const;

const CHUNK_ROWS = 1_000_000;

export interface CdrDataset {
  databaseUrl: string;
  rows: number;
  generated: boolean;
  marker: string;
  timings_s: Record<string, number>;
  table_size: { heap: string; indexes: string; total: string; heap_bytes: number; index_bytes: number };
  indexes: { name: string; size: string; definition: string }[];
}

export function markerFor(rows: number): string {
  return `pbx-bench cdr generator v${GENERATOR_VERSION}; rows=${rows}; complete`;
}

/** SQL that maps an extension index (0..1999) to its number. */
export const EXTENSION_SQL = (e: string) => `(CASE WHEN ${e} < 800 THEN (100 + ${e})::text
  WHEN ${e} < 1800 THEN (1200 + ${e})::text
  WHEN ${e} < 1950 THEN (300000 + ${e})::text
  ELSE (8000000000 + ${e})::text END)`;

/** SQL that maps a phone index (0..1,999,999) to a 10-digit number (an injective scramble). */
export const PHONE_SQL = (p: string) => `('09' || lpad(((${p} * 7919 + 1234567) % 100000000)::text, 8, '0'))`;

/** SQL that maps a DID index (0..DID_COUNT-1) to one of our numbers. */
export const DID_SQL = (d: string) => `('842838' || lpad(${d}::text, 6, '0'))`;

/** One chunk of rows, ids lo..hi (explicit ids: the sequence is moved past them at the end). */
function chunkSql(lo: number, hi: number, total: number): string {
  // inner query: one set of random draws per row (volatile targets keep it from being flattened)
  return `
INSERT INTO cdrs (id, call_uuid, direction, from_number, to_number, did, extension, from_extension, to_phone,
  caller_id, trunk_id, trunk_name, routing_mode,
  started_at, answered_at, ended_at, duration, billsec, disposition, hangup_cause, hangup_cause_text, hangup_by,
  a_leg_uuid, a_started_at, a_answered_at, a_ended_at, b_leg_uuid, b_started_at, b_answered_at, b_ended_at,
  headers, created_at)
SELECT id, gen_random_uuid(), dir,
  CASE dir WHEN 'inbound' THEN (CASE WHEN r_plus < 0.33 THEN '+' ELSE '' END) || phone ELSE ext END,
  CASE dir WHEN 'inbound' THEN did WHEN 'internal' THEN ext2 ELSE phone END,
  CASE WHEN dir = 'inbound' THEN did END,
  CASE WHEN dir <> 'inbound' OR disp = 'ANSWERED' THEN ext END,
  CASE WHEN dir = 'click_to_call' THEN ext END, CASE WHEN dir = 'click_to_call' THEN phone END,
  CASE WHEN dir IN ('click_to_call', 'outbound') THEN
    (CASE WHEN e % 4 = 0 THEN ext ELSE '1900' || lpad((e % 25)::text, 4, '0') END) END,
  CASE WHEN dir <> 'internal' THEN trunk END, CASE WHEN dir <> 'internal' THEN 'trunk-' || trunk END,
  CASE WHEN dir = 'click_to_call' THEN (CASE WHEN e % 10 < 3 THEN 'direct_gateway' ELSE 'dialplan_default' END) END,
  started, CASE WHEN disp = 'ANSWERED' THEN b_start + make_interval(secs => ring) END,
  started + make_interval(secs => a_ring + ring + talk), (a_ring + ring + talk)::int, talk::int, disp,
  CASE disp WHEN 'ANSWERED' THEN 16 WHEN 'NO ANSWER' THEN 19 WHEN 'BUSY' THEN 17 WHEN 'FAILED' THEN 34 ELSE 16 END,
  CASE disp WHEN 'ANSWERED' THEN 'Normal Clearing' WHEN 'NO ANSWER' THEN 'No answer' WHEN 'BUSY' THEN 'User busy'
    WHEN 'FAILED' THEN 'No route/channel available' ELSE 'Normal Clearing' END,
  CASE disp WHEN 'ANSWERED' THEN (CASE WHEN r_by < 0.5 THEN 'a' ELSE 'b' END) WHEN 'BUSY' THEN 'b' WHEN 'CANCELLED' THEN 'a' ELSE 'system' END,
  gen_random_uuid(), started, started + make_interval(secs => a_ring), started + make_interval(secs => a_ring + ring + talk),
  gen_random_uuid(), b_start, CASE WHEN disp = 'ANSWERED' THEN b_start + make_interval(secs => ring) END,
  started + make_interval(secs => a_ring + ring + talk),
  CASE WHEN r_hdr < 0.1 THEN jsonb_build_object('Ticket', 'T-' || id) ELSE '{}'::jsonb END,
  started + make_interval(secs => a_ring + ring + talk + 0.05)
FROM (
  SELECT *, started + make_interval(secs => a_ring) AS b_start,
    ${EXTENSION_SQL('e')} AS ext, ${EXTENSION_SQL('e2')} AS ext2, ${PHONE_SQL('p')} AS phone, ${DID_SQL('d')} AS did,
    CASE WHEN r_dir < 0.3 THEN 'click_to_call' WHEN r_dir < 0.6 THEN 'outbound' WHEN r_dir < 0.9 THEN 'inbound'
      ELSE 'internal' END AS dir,
    CASE disp WHEN 'ANSWERED' THEN 3 + floor(r_ring * 25) WHEN 'NO ANSWER' THEN 30 + floor(r_ring * 30)
      WHEN 'BUSY' THEN 1 + floor(r_ring * 9) WHEN 'FAILED' THEN floor(r_ring * 5) ELSE 2 + floor(r_ring * 23) END AS ring,
    CASE WHEN disp = 'ANSWERED' THEN least(7200, 1 + floor(-ln(1 - r_talk) * 120)) ELSE 0 END AS talk
  FROM (
    SELECT id, e, e2, p, d, trunk, a_ring, r_ring, r_talk, r_by, r_hdr, r_dir, r_plus,
      date_trunc('milliseconds', timestamptz '${PERIOD_START}'
        + make_interval(secs => (id - 1)::float8 / ${total} * ${PERIOD_DAYS * 86400} + r_jit * 60)) AS started,
      CASE WHEN r_disp < 0.60 THEN 'ANSWERED' WHEN r_disp < 0.80 THEN 'NO ANSWER' WHEN r_disp < 0.90 THEN 'BUSY'
        WHEN r_disp < 0.97 THEN 'FAILED' ELSE 'CANCELLED' END AS disp
    FROM (
      SELECT g AS id,
        floor(${EXTENSION_COUNT} * power(random(), 1.5))::int AS e,
        floor(${EXTENSION_COUNT} * random())::int AS e2,
        floor(${DID_COUNT} * power(random(), 2))::int AS d,
        random() AS r_dir, random() AS r_plus,
        (CASE WHEN random() < 0.2 THEN floor(20000 * power(random(), 2)) ELSE 20000 + floor(random() * 1980000) END)::bigint AS p,
        1 + floor(random() * 3)::int AS trunk,
        2 + floor(random() * 7) AS a_ring,
        random() AS r_ring, random() AS r_talk, random() AS r_by, random() AS r_hdr, random() AS r_jit, random() AS r_disp
      FROM generate_series(${lo}::bigint, ${hi}::bigint) AS g
    ) draws
  ) timed
) shaped`;
}

interface SavedIndex {
  name: string;
  constraint: string | null;
  /** CREATE INDEX ... or ALTER TABLE ... ADD CONSTRAINT ... */
  create: string;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function timed<T>(timings: Record<string, number>, key: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[key] = Math.round((performance.now() - t0) / 100) / 10;
  }
}

/**
 * Makes sure `dbName` holds `rows` generated CDRs on the current schema. Reuses a previous
 * complete load of the same version and size (unless `fresh`), else drops and recreates the
 * database, migrates it and generates.
 */
export interface CdrDatasetOptions {
  adminUrl: string;
  dbName: string;
  rows: number;
  /** recreate even if a matching dataset exists */
  fresh?: boolean;
  /** connections inserting chunks (and building indexes) at once; default 2 */
  loadConnections?: number;
  /** keep the indexes during the load (to measure what dropping them saves) */
  keepIndexes?: boolean;
  log?: (line: string) => void;
}

export async function ensureCdrDataset(options: CdrDatasetOptions): Promise<CdrDataset> {
  const { adminUrl, dbName, rows } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  if (!/^[a-z0-9_]+$/.test(dbName)) throw new Error(`bad database name ${dbName}`);
  if (!Number.isInteger(rows) || rows < 1000)
    throw new Error(`BENCH_CDR_ROWS must be an integer >= 1000 (got ${rows})`);
  const databaseUrl = `${adminUrl.replace(/\/[^/]*$/, '')}/${dbName}`;
  const marker = markerFor(rows);
  const timings: Record<string, number> = {};

  const existing = options.fresh ? null : await readMarker(adminUrl, databaseUrl, dbName);
  let generated = false;
  if (existing === marker) {
    log(`[cdr-generator] reusing ${dbName}: ${marker}`);
    // a migration added since (e.g. a new index) is applied to the existing data
    await timed(timings, 'migrate', () => migrate(databaseUrl, (line) => log(`[cdr-generator] ${line}`)));
  } else {
    log(
      `[cdr-generator] ${existing ? `marker "${existing}" does not match` : 'no complete dataset'}: recreating ${dbName} with ${rows} rows`,
    );
    const total0 = performance.now();
    await recreateDatabase(adminUrl, dbName);
    await timed(timings, 'migrate', () => migrate(databaseUrl));
    await generate(databaseUrl, rows, options.loadConnections ?? 2, options.keepIndexes ?? false, timings, log);
    timings.total = Math.round((performance.now() - total0) / 100) / 10;
    generated = true;
    log(`[cdr-generator] done in ${timings.total} s (${JSON.stringify(timings)})`);
  }

  const client = await connect(databaseUrl);
  try {
    const size = (
      await client.query(`SELECT pg_table_size('cdrs') AS heap, pg_indexes_size('cdrs') AS idx,
        pg_size_pretty(pg_table_size('cdrs')) AS heap_p, pg_size_pretty(pg_indexes_size('cdrs')) AS idx_p,
        pg_size_pretty(pg_total_relation_size('cdrs')) AS total_p`)
    ).rows[0];
    const indexes = (
      await client.query(`SELECT i.indexrelid::regclass::text AS name, pg_size_pretty(pg_relation_size(i.indexrelid)) AS size,
        pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i WHERE i.indrelid = 'cdrs'::regclass ORDER BY 1`)
    ).rows;
    return {
      databaseUrl,
      rows,
      generated,
      marker,
      timings_s: timings,
      table_size: {
        heap: size.heap_p,
        indexes: size.idx_p,
        total: size.total_p,
        heap_bytes: Number(size.heap),
        index_bytes: Number(size.idx),
      },
      indexes,
    };
  } finally {
    await client.end();
  }
}

async function readMarker(adminUrl: string, databaseUrl: string, dbName: string): Promise<string | null> {
  const admin = await connect(adminUrl);
  try {
    if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount) return null;
  } finally {
    await admin.end();
  }
  const client = await connect(databaseUrl);
  try {
    const { rows } = await client.query(`SELECT obj_description(to_regclass('cdrs'), 'pg_class') AS marker`);
    return (rows[0]?.marker as string | null) ?? null;
  } finally {
    await client.end();
  }
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const client = await connect(adminUrl);
  try {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function generate(
  databaseUrl: string,
  rows: number,
  connections: number,
  keepIndexes: boolean,
  timings: Record<string, number>,
  log: (line: string) => void,
): Promise<void> {
  const clients = await Promise.all(Array.from({ length: Math.max(1, connections) }, () => connect(databaseUrl)));
  const [main] = clients;
  try {
    for (const c of clients) {
      await c.query(`SET synchronous_commit = off`);
      await c.query(`SET maintenance_work_mem = '1GB'`);
      await c.query(`SET statement_timeout = 0`);
    }
    // every index (primary key and unique constraint too) goes during the load and comes back
    // from its own definition, so whatever the migrations define is rebuilt as they define it
    const saved = keepIndexes ? [] : await saveIndexes(main);
    for (const index of saved) {
      await main.query(
        index.constraint ? `ALTER TABLE cdrs DROP CONSTRAINT "${index.constraint}"` : `DROP INDEX "${index.name}"`,
      );
    }
    if (keepIndexes) log('[cdr-generator] keeping the indexes during the load');
    else log(`[cdr-generator] dropped ${saved.length} indexes for the load: ${saved.map((i) => i.name).join(', ')}`);

    const chunks: [number, number][] = [];
    for (let lo = 1; lo <= rows; lo += CHUNK_ROWS) chunks.push([lo, Math.min(rows, lo + CHUNK_ROWS - 1)]);
    let done = 0;
    const t0 = performance.now();
    await timed(timings, 'insert', () =>
      Promise.all(
        clients.map(async (client) => {
          for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
            const [lo, hi] = chunk;
            await client.query(`SELECT setseed($1)`, [(lo % 1_000_003) / 1_000_003]);
            await client.query(chunkSql(lo, hi, rows));
            done += hi - lo + 1;
            const s = (performance.now() - t0) / 1000;
            log(
              `[cdr-generator] inserted ${done.toLocaleString('en')} / ${rows.toLocaleString('en')} rows (${s.toFixed(1)} s, ${Math.round(done / s).toLocaleString('en')} rows/s)`,
            );
          }
        }),
      ),
    );
    await main.query(`SELECT setval(pg_get_serial_sequence('cdrs', 'id'), $1)`, [rows]);

    // hint bits and the visibility map now, not during the measurements (and no autovacuum then)
    await timed(timings, 'vacuum', () => main.query('VACUUM (FREEZE) cdrs'));
    log(`[cdr-generator] vacuumed in ${timings.vacuum} s`);

    // rebuild on both connections at once, largest-first so the two finish together
    const queue = [...saved];
    await timed(timings, 'indexes', () =>
      Promise.all(
        clients.map(async (client) => {
          for (let index = queue.shift(); index; index = queue.shift()) {
            const i0 = performance.now();
            await client.query(index.create);
            const s = ((performance.now() - i0) / 1000).toFixed(1);
            timings[`index ${index.name}`] = Number(s);
            log(`[cdr-generator] built ${index.name} in ${s} s`);
          }
        }),
      ),
    );
    await timed(timings, 'analyze', () => main.query('ANALYZE cdrs'));
    await main.query(`COMMENT ON TABLE cdrs IS '${markerFor(rows)}'`);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function saveIndexes(client: Client): Promise<SavedIndex[]> {
  const { rows } = await client.query(`
    SELECT i.indexrelid::regclass::text AS name, c.conname AS constraint,
      CASE WHEN c.conname IS NOT NULL THEN format('ALTER TABLE cdrs ADD CONSTRAINT %I %s', c.conname, pg_get_constraintdef(c.oid))
           ELSE pg_get_indexdef(i.indexrelid) END AS create
    FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
    WHERE i.indrelid = 'cdrs'::regclass
    -- the unique (random uuid) index is the slowest to build: start it first
    ORDER BY (c.contype = 'u') DESC NULLS LAST, i.indexrelid`);
  return rows as SavedIndex[];
}
