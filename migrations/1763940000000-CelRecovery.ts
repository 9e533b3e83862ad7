import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calls that happened while the worker was away become calls from CEL (SPEC section 2, "When
 * the worker is away"). `cel_linkedids` holds every finished linkedid the worker has accounted
 * for: `recovered` (a call written from CEL, `call_uuid`), `handled` (a call the worker itself
 * drove: one of its channels is a leg) or `skipped` (nothing to record). The primary key makes
 * each linkedid recorded at most once, however often the worker restarts: it is inserted in the
 * transaction that writes the call. The CEL purge keeps a linkedid's rows until it is accounted
 * for (or for a long bound). Indexes: a linkedid's rows, and the finished calls by time.
 */
export class CelRecovery1763940000000 implements MigrationInterface {
  name = 'CelRecovery1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cel_linkedids (
        linkedid varchar(150) PRIMARY KEY,
        outcome varchar(16) NOT NULL CHECK (outcome IN ('recovered', 'handled', 'skipped')),
        call_uuid uuid,
        accounted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_cel_linkedid ON cel (linkedid)`);
    await q.query(`CREATE INDEX ix_cel_linkedid_end ON cel (eventtime) WHERE eventtype = 'LINKEDID_END'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_cel_linkedid_end`);
    await q.query(`DROP INDEX ix_cel_linkedid`);
    await q.query(`DROP TABLE cel_linkedids`);
  }
}
