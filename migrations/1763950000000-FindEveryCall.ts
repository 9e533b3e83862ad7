import { MigrationInterface, QueryRunner } from 'typeorm';

/** `x` without one leading `+` (left and substr are immutable, so a stored generated column may use them). */
const unplus = (x: string) => `CASE WHEN left(${x}, 1) = '+' THEN substr(${x}, 2) ELSE ${x} END`;

/**
 * The external party's number, one leading `+` stripped (SPEC section 2): the number called
 * for click-to-call and outbound (to_phone for rows an older writer left without to_number),
 * the caller for inbound, none for internal.
 */
const EXTERNAL_NUMBER = `varchar(64) GENERATED ALWAYS AS (CASE direction
    WHEN 'inbound' THEN ${unplus('from_number')}
    WHEN 'internal' THEN NULL
    ELSE ${unplus('coalesce(to_number, to_phone)')} END) STORED`;

/**
 * Every call is findable (SPEC section 2, GET /api/pbx/calls and the CDR filters): `phone`
 * matches `external_number` and `extension` the `extension` column in every direction, so both
 * tables gain that generated column and keyset indexes (newest first) for each filter that can
 * lead a query: phone, extension, DID, direction. The click-to-call-only indexes on to_phone
 * and from_extension go: no query reads by those columns any more.
 */
export class FindEveryCall1763950000000 implements MigrationInterface {
  name = 'FindEveryCall1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cdrs ADD COLUMN external_number ${EXTERNAL_NUMBER}`);
    await q.query(`DROP INDEX ix_cdrs_to_phone_started_at`);
    await q.query(`DROP INDEX ix_cdrs_extension_started_at`);
    const cdrs = (name: string, column: string, partial = true) =>
      q.query(
        `CREATE INDEX ${name} ON cdrs (${column}, started_at DESC, id DESC)${partial ? ` WHERE ${column} IS NOT NULL` : ''}`,
      );
    await cdrs('ix_cdrs_external_number_started_at', 'external_number');
    await cdrs('ix_cdrs_extension_started_at', 'extension');
    await cdrs('ix_cdrs_did_started_at', 'did');
    await cdrs('ix_cdrs_direction_started_at', 'direction', false);

    await q.query(`ALTER TABLE calls ADD COLUMN external_number ${EXTERNAL_NUMBER}`);
    await q.query(`DROP INDEX ix_calls_created_at`);
    await q.query(`CREATE INDEX ix_calls_created_at ON calls (created_at DESC, call_uuid DESC)`);
    // status=live: the few live calls among millions, without walking the ended ones
    await q.query(
      `CREATE INDEX ix_calls_live_created_at ON calls (created_at DESC, call_uuid DESC) WHERE status <> 'ended'`,
    );
    const calls = (name: string, column: string, partial = true) =>
      q.query(
        `CREATE INDEX ${name} ON calls (${column}, created_at DESC, call_uuid DESC)${partial ? ` WHERE ${column} IS NOT NULL` : ''}`,
      );
    await calls('ix_calls_external_number_created_at', 'external_number');
    await calls('ix_calls_extension_created_at', 'extension');
    await calls('ix_calls_direction_created_at', 'direction', false);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['external_number', 'extension', 'direction'])
      await q.query(`DROP INDEX ix_calls_${index}_created_at`);
    await q.query(`DROP INDEX ix_calls_live_created_at`);
    await q.query(`DROP INDEX ix_calls_created_at`);
    await q.query(`CREATE INDEX ix_calls_created_at ON calls (created_at)`);
    await q.query(`ALTER TABLE calls DROP COLUMN external_number`);

    for (const index of ['external_number', 'extension', 'did', 'direction'])
      await q.query(`DROP INDEX ix_cdrs_${index}_started_at`);
    await q.query(`CREATE INDEX ix_cdrs_to_phone_started_at ON cdrs (to_phone, started_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_cdrs_extension_started_at ON cdrs (from_extension, started_at DESC, id DESC)`);
    await q.query(`ALTER TABLE cdrs DROP COLUMN external_number`);
  }
}
