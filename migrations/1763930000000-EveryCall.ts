import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every call, not only click-to-call (SPEC section 2): calls and CDRs gain `direction` and the
 * direction-neutral parties (`from_number`, `to_number`, `did`, `extension`); the fields only a
 * click-to-call has become nullable. Legs keep our uuid and gain Asterisk's channel id (an
 * inbound carrier channel has Asterisk's id, not ours), their own extension, and `role`
 * (caller/callee, derived from the `a`/`b` letter the events keep). Existing rows are all
 * click-to-calls and are filled in as such; `direction` defaults to click-to-call, the one
 * direction rows written without it (by an older writer) can be.
 */
export class EveryCall1763930000000 implements MigrationInterface {
  name = 'EveryCall1763930000000';

  async up(q: QueryRunner): Promise<void> {
    const direction = `varchar(16) NOT NULL DEFAULT 'click_to_call'
      CHECK (direction IN ('click_to_call', 'inbound', 'outbound', 'internal'))`;
    await q.query(`
      ALTER TABLE calls
        ADD COLUMN direction ${direction},
        ADD COLUMN from_number varchar(64),
        ADD COLUMN to_number varchar(64),
        ADD COLUMN did varchar(33),
        ADD COLUMN extension varchar(10),
        ADD COLUMN ring_plan jsonb,
        ADD COLUMN answered_leg_uuid uuid,
        ADD COLUMN last_core_sequence integer NOT NULL DEFAULT 0,
        ALTER COLUMN b_leg_uuid DROP NOT NULL,
        ALTER COLUMN from_extension DROP NOT NULL,
        ALTER COLUMN to_phone DROP NOT NULL,
        ALTER COLUMN caller_id DROP NOT NULL,
        ALTER COLUMN routing_mode DROP NOT NULL`);
    await q.query(`
      UPDATE calls SET from_number = from_extension, to_number = to_phone, extension = from_extension,
                       last_core_sequence = last_sequence`);
    await q.query(`
      ALTER TABLE call_legs
        ADD COLUMN channel_id varchar(64),
        ADD COLUMN extension varchar(10),
        ADD COLUMN role varchar(6) GENERATED ALWAYS AS (CASE leg WHEN 'a' THEN 'caller' ELSE 'callee' END) STORED`);
    await q.query(`
      UPDATE call_legs l SET channel_id = l.leg_uuid::text,
             extension = CASE WHEN l.leg = 'a' THEN (SELECT c.from_extension FROM calls c WHERE c.call_uuid = l.call_uuid) END`);
    await q.query(`ALTER TABLE call_legs ALTER COLUMN channel_id SET NOT NULL`);
    await q.query(`ALTER TABLE call_legs ADD CONSTRAINT uq_call_legs_channel_id UNIQUE (channel_id)`);
    await q.query(`
      ALTER TABLE cdrs
        ADD COLUMN direction ${direction},
        ADD COLUMN from_number varchar(64),
        ADD COLUMN to_number varchar(64),
        ADD COLUMN did varchar(33),
        ADD COLUMN extension varchar(10),
        ALTER COLUMN from_extension DROP NOT NULL,
        ALTER COLUMN to_phone DROP NOT NULL,
        ALTER COLUMN caller_id DROP NOT NULL,
        ALTER COLUMN routing_mode DROP NOT NULL`);
    await q.query(`UPDATE cdrs SET from_number = from_extension, to_number = to_phone, extension = from_extension`);
  }

  async down(q: QueryRunner): Promise<void> {
    // calls of the new directions cannot be told as click-to-calls: they go
    await q.query(`DELETE FROM cdrs WHERE direction <> 'click_to_call'`);
    await q.query(`DELETE FROM calls WHERE direction <> 'click_to_call'`);
    await q.query(`
      ALTER TABLE cdrs DROP COLUMN direction, DROP COLUMN from_number, DROP COLUMN to_number, DROP COLUMN did,
        DROP COLUMN extension, ALTER COLUMN from_extension SET NOT NULL, ALTER COLUMN to_phone SET NOT NULL,
        ALTER COLUMN caller_id SET NOT NULL, ALTER COLUMN routing_mode SET NOT NULL`);
    await q.query(`ALTER TABLE call_legs DROP COLUMN role, DROP COLUMN extension, DROP COLUMN channel_id`);
    await q.query(`UPDATE calls SET b_leg_uuid = a_leg_uuid WHERE b_leg_uuid IS NULL`);
    await q.query(`
      ALTER TABLE calls DROP COLUMN direction, DROP COLUMN from_number, DROP COLUMN to_number, DROP COLUMN did,
        DROP COLUMN extension, DROP COLUMN ring_plan, DROP COLUMN answered_leg_uuid, DROP COLUMN last_core_sequence,
        ALTER COLUMN b_leg_uuid SET NOT NULL, ALTER COLUMN from_extension SET NOT NULL, ALTER COLUMN to_phone SET NOT NULL,
        ALTER COLUMN caller_id SET NOT NULL, ALTER COLUMN routing_mode SET NOT NULL`);
  }
}
