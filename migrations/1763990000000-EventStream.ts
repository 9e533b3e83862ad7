import { MigrationInterface, QueryRunner } from 'typeorm';

/** Where monthly partitions live: pbx_app may create and drop tables here, never in `public`. */
const PARTITIONS_SCHEMA = 'pbx_partitions';

/** The CDR search indexes (migrations Calls and FindEveryCall), made again on the partitioned table and back. */
const CDR_INDEXES: Array<[name: string, definition: string]> = [
  ['ix_cdrs_started_at_id', '(started_at DESC, id DESC)'],
  ['ix_cdrs_direction_started_at', '(direction, started_at DESC, id DESC)'],
  ['ix_cdrs_did_started_at', '(did, started_at DESC, id DESC) WHERE did IS NOT NULL'],
  ['ix_cdrs_extension_started_at', '(extension, started_at DESC, id DESC) WHERE extension IS NOT NULL'],
  [
    'ix_cdrs_external_number_started_at',
    '(external_number, started_at DESC, id DESC) WHERE external_number IS NOT NULL',
  ],
];

/**
 * The real-time stream and bounded growth (SPEC sections 3 and 5).
 *
 * `call_events` becomes the one stored event table, read in order by the stream:
 * - `position` (a sequence, in insert order) and `xact_id` (the writing transaction,
 *   `pg_current_xact_id()`): a reader never reads past the oldest transaction still in flight,
 *   so a lower position that commits late is not skipped;
 * - events without a call (`pbx.extension.state_changed`): `call_uuid` and `sequence` are null,
 *   `extension` names the extension;
 * - partitioned by month of `occurred_at`, so an old month drops cheaply. The primary key is
 *   (id, occurred_at); deliveries no longer carry a foreign key to their event (one cannot
 *   reference a partitioned table without its partition key, and a month must drop without
 *   foreign-key errors): retention removes deliveries before their events.
 *
 * `cdrs` is partitioned by month of `started_at`, the call's creation time, which never changes
 * for a call: the unique key (call_uuid, started_at) holds in the one partition a call's CDR can
 * be in, so "exactly one CDR per call" holds without an index across partitions.
 *
 * Partitions are `pbx_partitions.<table>_<yyyy>_<mm>`, one per month from the oldest row to two
 * months ahead (the worker keeps creating them ahead), and `<table>_default` for anything else.
 */
export class EventStream1763990000000 implements MigrationInterface {
  name = 'EventStream1763990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS ${PARTITIONS_SCHEMA}`);

    // call_events
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT fk_webhook_deliveries_event`);
    await q.query(`ALTER TABLE call_events RENAME TO call_events_unpartitioned`);
    await q.query(`ALTER TABLE call_events_unpartitioned DROP CONSTRAINT call_events_pkey`);
    await q.query(`ALTER TABLE call_events_unpartitioned DROP CONSTRAINT uq_call_events_call_sequence`);
    await q.query(`CREATE SEQUENCE call_events_position_seq AS bigint`);
    await q.query(`
      CREATE TABLE call_events (
        id uuid NOT NULL,
        position bigint NOT NULL DEFAULT nextval('call_events_position_seq'),
        xact_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        call_uuid uuid CONSTRAINT fk_call_events_call REFERENCES calls (call_uuid) ON DELETE CASCADE,
        sequence integer,
        extension varchar(10),
        type varchar(40) NOT NULL,
        leg char(1),
        leg_uuid uuid,
        occurred_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        CONSTRAINT pk_call_events PRIMARY KEY (id, occurred_at),
        CONSTRAINT ck_call_events_owner CHECK (
          (call_uuid IS NOT NULL AND sequence IS NOT NULL) OR (call_uuid IS NULL AND sequence IS NULL AND extension IS NOT NULL))
      ) PARTITION BY RANGE (occurred_at)`);
    await q.query(`ALTER SEQUENCE call_events_position_seq OWNED BY call_events.position`);
    await q.query(`CREATE INDEX ix_call_events_stream ON call_events (xact_id, position)`);
    // retention walks old events in insert order
    await q.query(`CREATE INDEX ix_call_events_position ON call_events (position)`);
    await q.query(`CREATE INDEX ix_call_events_call_sequence ON call_events (call_uuid, sequence)`);
    await createPartitions(q, 'call_events', 'occurred_at', 'call_events_unpartitioned');
    // existing events keep their order: positions follow their time, then their call's sequence
    await q.query(`
      INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload)
      SELECT id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload
        FROM call_events_unpartitioned ORDER BY occurred_at, call_uuid, sequence`);
    await q.query(`DROP TABLE call_events_unpartitioned`);
    await q.query(
      `ALTER TABLE webhook_deliveries ALTER COLUMN call_uuid DROP NOT NULL, ALTER COLUMN sequence DROP NOT NULL`,
    );

    // cdrs (the reporting view reads it: dropped and made again on the new table)
    const [{ definition }] = (await q.query(`SELECT pg_get_viewdef('reporting_cdrs') AS definition`)) as Array<{
      definition: string;
    }>;
    await q.query(`DROP VIEW reporting_cdrs`);
    await q.query(`ALTER TABLE cdrs RENAME TO cdrs_unpartitioned`);
    await q.query(`ALTER SEQUENCE cdrs_id_seq OWNED BY NONE`);
    for (const constraint of ['cdrs_pkey', 'uq_cdrs_call_uuid'])
      await q.query(`ALTER TABLE cdrs_unpartitioned DROP CONSTRAINT ${constraint}`);
    for (const [name] of CDR_INDEXES) await q.query(`DROP INDEX ${name}`);
    await q.query(`
      CREATE TABLE cdrs (LIKE cdrs_unpartitioned INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS,
        CONSTRAINT pk_cdrs PRIMARY KEY (id, started_at),
        CONSTRAINT uq_cdrs_call_uuid_started_at UNIQUE (call_uuid, started_at)
      ) PARTITION BY RANGE (started_at)`);
    await ownSequence(q);
    for (const [name, definition] of CDR_INDEXES) await q.query(`CREATE INDEX ${name} ON cdrs ${definition}`);
    await createPartitions(q, 'cdrs', 'started_at', 'cdrs_unpartitioned');
    const [{ columns }] = (await q.query(`
      SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
        FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'cdrs_unpartitioned' AND is_generated = 'NEVER'`)) as Array<{
      columns: string;
    }>;
    await q.query(`INSERT INTO cdrs (${columns}) SELECT ${columns} FROM cdrs_unpartitioned`);
    await q.query(`DROP TABLE cdrs_unpartitioned`);
    await q.query(`CREATE VIEW reporting_cdrs AS ${definition}`);

    // idempotency keys expire after 24 h (the lookup ignores older ones; retention deletes them)
    await q.query(`CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_idempotency_keys_created_at`);

    const [{ definition }] = (await q.query(`SELECT pg_get_viewdef('reporting_cdrs') AS definition`)) as Array<{
      definition: string;
    }>;
    await q.query(`DROP VIEW reporting_cdrs`);
    await q.query(`ALTER TABLE cdrs RENAME TO cdrs_partitioned`);
    await q.query(`ALTER SEQUENCE cdrs_id_seq OWNED BY NONE`);
    for (const [name] of CDR_INDEXES) await q.query(`DROP INDEX ${name}`);
    await q.query(`ALTER TABLE cdrs_partitioned DROP CONSTRAINT pk_cdrs`);
    await q.query(`ALTER TABLE cdrs_partitioned DROP CONSTRAINT uq_cdrs_call_uuid_started_at`);
    await q.query(`
      CREATE TABLE cdrs (LIKE cdrs_partitioned INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS,
        CONSTRAINT cdrs_pkey PRIMARY KEY (id), CONSTRAINT uq_cdrs_call_uuid UNIQUE (call_uuid))`);
    await ownSequence(q);
    const [{ columns }] = (await q.query(`
      SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
        FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'cdrs_partitioned' AND is_generated = 'NEVER'`)) as Array<{
      columns: string;
    }>;
    await q.query(`INSERT INTO cdrs (${columns}) SELECT ${columns} FROM cdrs_partitioned`);
    await q.query(`DROP TABLE cdrs_partitioned`);
    for (const [name, definition] of CDR_INDEXES) await q.query(`CREATE INDEX ${name} ON cdrs ${definition}`);
    await q.query(`CREATE VIEW reporting_cdrs AS ${definition}`);

    await q.query(`DELETE FROM webhook_deliveries WHERE call_uuid IS NULL`);
    await q.query(
      `ALTER TABLE webhook_deliveries ALTER COLUMN call_uuid SET NOT NULL, ALTER COLUMN sequence SET NOT NULL`,
    );
    await q.query(`ALTER TABLE call_events RENAME TO call_events_partitioned`);
    await q.query(`
      CREATE TABLE call_events (
        id uuid PRIMARY KEY,
        call_uuid uuid NOT NULL CONSTRAINT fk_call_events_call REFERENCES calls (call_uuid) ON DELETE CASCADE,
        sequence integer NOT NULL,
        type varchar(40) NOT NULL,
        leg char(1),
        leg_uuid uuid,
        occurred_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        CONSTRAINT uq_call_events_call_sequence UNIQUE (call_uuid, sequence)
      )`);
    await q.query(`
      INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload)
      SELECT id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload
        FROM call_events_partitioned WHERE call_uuid IS NOT NULL`);
    await q.query(`DROP TABLE call_events_partitioned`);
    await q.query(
      `DELETE FROM webhook_deliveries d WHERE NOT EXISTS (SELECT 1 FROM call_events e WHERE e.id = d.event_id)`,
    );
    await q.query(`
      ALTER TABLE webhook_deliveries ADD CONSTRAINT fk_webhook_deliveries_event
        FOREIGN KEY (event_id) REFERENCES call_events (id) ON DELETE CASCADE`);
    await q.query(`DROP SCHEMA ${PARTITIONS_SCHEMA} CASCADE`);
  }
}

/** One partition per month from the oldest row of `source` (or this month) to two months ahead, and a default. */
async function createPartitions(q: QueryRunner, table: string, column: string, source: string): Promise<void> {
  const months = (await q.query(`
    SELECT to_char(m, 'YYYY_MM') AS suffix, to_char(m, 'YYYY-MM-DD') AS from_ts,
           to_char(m + interval '1 month', 'YYYY-MM-DD') AS to_ts
      FROM generate_series(
             date_trunc('month', LEAST(COALESCE((SELECT min(${column}) FROM ${source}), now()), now()) AT TIME ZONE 'UTC'),
             date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',
             interval '1 month') AS m`)) as Array<{ suffix: string; from_ts: string; to_ts: string }>;
  for (const month of months)
    await q.query(
      `CREATE TABLE ${PARTITIONS_SCHEMA}.${table}_${month.suffix} PARTITION OF ${table}
         FOR VALUES FROM ('${month.from_ts} UTC') TO ('${month.to_ts} UTC')`,
    );
  await q.query(`CREATE TABLE ${PARTITIONS_SCHEMA}.${table}_default PARTITION OF ${table} DEFAULT`);
}

/** The id sequence follows the new cdrs table (which must first have the sequence's owner, pbx_app once provisioned). */
async function ownSequence(q: QueryRunner): Promise<void> {
  const [{ owner }] = (await q.query(
    `SELECT quote_ident(pg_get_userbyid(relowner)) AS owner FROM pg_class WHERE relname = 'cdrs_id_seq'`,
  )) as Array<{ owner: string }>;
  await q.query(`ALTER TABLE cdrs OWNER TO ${owner}`);
  await q.query(`ALTER SEQUENCE cdrs_id_seq OWNED BY cdrs.id`);
}
