import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery is one request of an event: (subscription, event, request index). Formats may
 * render an event into several requests; each gets its own row, retries and log, and the
 * (subscription, call) line is ordered by (sequence, request_index). Existing rows are
 * request 0, which is what they always were.
 */
export class WebhookRequests1763870000000 implements MigrationInterface {
  name = 'WebhookRequests1763870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_deliveries
        ADD COLUMN request_index integer NOT NULL DEFAULT 0 CONSTRAINT ck_webhook_deliveries_request_index CHECK (request_index >= 0)`);
    // the outbox's ON CONFLICT and the dispatcher's followers name this constraint
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT uq_webhook_deliveries_subscription_event`);
    await q.query(
      `ALTER TABLE webhook_deliveries ADD CONSTRAINT uq_webhook_deliveries_request UNIQUE (subscription_id, event_id, request_index)`,
    );
    // head-of-line check: is an earlier event, or an earlier request of this event, still pending?
    await q.query(`DROP INDEX ix_webhook_deliveries_line`);
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_line ON webhook_deliveries (subscription_id, call_uuid, sequence, request_index) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // one row per (subscription, event) again: the rows of further requests go
    await q.query(`DELETE FROM webhook_deliveries WHERE request_index > 0`);
    await q.query(`DROP INDEX ix_webhook_deliveries_line`);
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_line ON webhook_deliveries (subscription_id, call_uuid, sequence) WHERE status = 'pending'`,
    );
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT uq_webhook_deliveries_request`);
    await q.query(
      `ALTER TABLE webhook_deliveries ADD CONSTRAINT uq_webhook_deliveries_subscription_event UNIQUE (subscription_id, event_id)`,
    );
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN request_index`);
  }
}
