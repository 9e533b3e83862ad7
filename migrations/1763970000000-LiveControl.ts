import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live calls under the API's control (SPEC section 3, "One writer per call").
 * - `call_commands`: a control request (hangup, transfer, hold, unhold) the API writes and the
 *   worker runs in the call's queue; `status` goes pending → running → done | failed, or
 *   pending → expired when the API stopped waiting first (then it never runs); `outcome` is
 *   the error the API answers with. The worker claims pending rows before their deadline.
 * - legs: `released` (left the call by a transfer: its end says nothing of the call) and
 *   `on_hold` (the leg that holds).
 * - calls and CDRs: who transferred and to whom; the call's ringing transfer target.
 */
export class LiveControl1763970000000 implements MigrationInterface {
  name = 'LiveControl1763970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE call_commands (
        id bigserial PRIMARY KEY,
        call_uuid uuid NOT NULL REFERENCES calls (call_uuid) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('hangup', 'transfer', 'hold', 'unhold')),
        args jsonb NOT NULL DEFAULT '{}',
        token_id integer,
        status varchar(8) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'expired')),
        outcome jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        deadline timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_call_commands_pending ON call_commands (created_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_call_commands_call ON call_commands (call_uuid)`);
    await q.query(`ALTER TABLE call_legs ADD COLUMN released boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE call_legs ADD COLUMN on_hold boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE calls ADD COLUMN transfer_leg_uuid uuid`);
    for (const table of ['calls', 'cdrs']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN transferred_by varchar(10)`);
      await q.query(`ALTER TABLE ${table} ADD COLUMN transferred_to varchar(32)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['cdrs', 'calls']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN transferred_to`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN transferred_by`);
    }
    await q.query(`ALTER TABLE calls DROP COLUMN transfer_leg_uuid`);
    await q.query(`ALTER TABLE call_legs DROP COLUMN on_hold`);
    await q.query(`ALTER TABLE call_legs DROP COLUMN released`);
    await q.query(`DROP TABLE call_commands`);
  }
}
