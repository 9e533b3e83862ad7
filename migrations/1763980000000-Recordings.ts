import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recordings (SPEC section 3): one per recorded call, behind a permanent unguessable token.
 * - `recordings`: the token (≥ 128 random bits, base64url), assigned when recording starts; the
 *   Asterisk stored recordings (`segments`, in order) that make the MP3 once the call is over,
 *   the one being recorded now (`active_segment`); `status` pending → ready | failed, ready →
 *   deleted by retention (the link then answers 404).
 * - `record` on calls (this call is recorded from its bridge on), and `never` | `always` on
 *   inbound routes and extensions; CDRs keep the token their `recording_url` is built from.
 * - `call_commands` may also carry `recording` (start/stop on a live call).
 */
export class Recordings1763980000000 implements MigrationInterface {
  name = 'Recordings1763980000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recordings (
        token varchar(43) PRIMARY KEY,
        call_uuid uuid NOT NULL UNIQUE REFERENCES calls (call_uuid) ON DELETE CASCADE,
        status varchar(8) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed', 'deleted')),
        segments text[] NOT NULL DEFAULT '{}',
        active_segment text,
        duration_seconds integer,
        bytes bigint,
        failure_reason varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        ready_at timestamptz,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_recordings_ready_at ON recordings (ready_at) WHERE status = 'ready'`);
    await q.query(`ALTER TABLE calls ADD COLUMN record boolean NOT NULL DEFAULT false`);
    for (const table of ['inbound_routes', 'extensions'])
      await q.query(
        `ALTER TABLE ${table} ADD COLUMN record varchar(6) NOT NULL DEFAULT 'never' CHECK (record IN ('never', 'always'))`,
      );
    await q.query(`ALTER TABLE cdrs ADD COLUMN recording_token varchar(43)`);
    await q.query(`ALTER TABLE call_commands DROP CONSTRAINT call_commands_kind_check`);
    await q.query(
      `ALTER TABLE call_commands ADD CONSTRAINT call_commands_kind_check CHECK (kind IN ('hangup', 'transfer', 'hold', 'unhold', 'recording'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE call_commands DROP CONSTRAINT call_commands_kind_check`);
    await q.query(
      `ALTER TABLE call_commands ADD CONSTRAINT call_commands_kind_check CHECK (kind IN ('hangup', 'transfer', 'hold', 'unhold'))`,
    );
    await q.query(`ALTER TABLE cdrs DROP COLUMN recording_token`);
    for (const table of ['extensions', 'inbound_routes']) await q.query(`ALTER TABLE ${table} DROP COLUMN record`);
    await q.query(`ALTER TABLE calls DROP COLUMN record`);
    await q.query(`DROP TABLE recordings`);
  }
}
