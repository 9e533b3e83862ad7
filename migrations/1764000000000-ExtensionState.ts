import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live extension state (SPEC section 3, Live state).
 *
 * - `extensions.state` (`idle` | `ringing` | `in_call` | `unavailable`, from Asterisk's device
 *   state and the phone's registration) and `state_changed_at`: written by the worker, in the
 *   transaction that stores the `pbx.extension.state_changed` event;
 * - `webhook_deliveries.extension`: a delivery of an extension event (no call) names its
 *   extension, so the dispatcher sends a subscription's events of one extension in order (the
 *   per-call line keeps `call_uuid`, `sequence`).
 */
export class ExtensionState1764000000000 implements MigrationInterface {
  name = 'ExtensionState1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE extensions
        ADD COLUMN state varchar(16) NOT NULL DEFAULT 'unavailable'
          CONSTRAINT ck_extensions_state CHECK (state IN ('idle', 'ringing', 'in_call', 'unavailable')),
        ADD COLUMN state_changed_at timestamptz`);
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN extension varchar(10)`);
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_extension_line ON webhook_deliveries (subscription_id, extension, id)
         WHERE status = 'pending' AND extension IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_webhook_deliveries_extension_line`);
    await q.query(`DELETE FROM webhook_deliveries WHERE call_uuid IS NULL`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN extension`);
    await q.query(`ALTER TABLE extensions DROP COLUMN state_changed_at, DROP COLUMN state`);
  }
}
