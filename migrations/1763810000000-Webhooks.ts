import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: subscriptions, the durable outbox (one delivery per subscription and call event,
 * written in the call funnel's transaction) and the log of every delivery attempt.
 */
export class Webhooks1763810000000 implements MigrationInterface {
  name = 'Webhooks1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id serial PRIMARY KEY,
        url varchar(2000) NOT NULL,
        events text[] NOT NULL CONSTRAINT ck_webhook_subscriptions_events CHECK (cardinality(events) > 0),
        active boolean NOT NULL DEFAULT true,
        format varchar(32) NOT NULL DEFAULT 'zorio',
        secret varchar(100) NOT NULL,
        secret_prefix varchar(16) NOT NULL,
        disabled_reason varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id bigserial PRIMARY KEY,
        subscription_id integer NOT NULL CONSTRAINT fk_webhook_deliveries_subscription REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        event_id uuid NOT NULL CONSTRAINT fk_webhook_deliveries_event REFERENCES call_events (id) ON DELETE CASCADE,
        event_type varchar(40) NOT NULL,
        call_uuid uuid NOT NULL,
        sequence integer NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped')),
        attempt_count integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        first_attempt_at timestamptz,
        last_attempt_at timestamptz,
        last_status integer,
        last_error varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT uq_webhook_deliveries_subscription_event UNIQUE (subscription_id, event_id)
      )`);
    // the claim scans only what is still to send, oldest due first
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    // head-of-line check: is an earlier event of this (subscription, call) still pending?
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_line ON webhook_deliveries (subscription_id, call_uuid, sequence) WHERE status = 'pending'`,
    );
    // enqueue: has an earlier event of this (subscription, call) been given up?
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_given_up ON webhook_deliveries (subscription_id, call_uuid, sequence) WHERE status IN ('failed', 'skipped')`,
    );
    // the admin listing, newest first per subscription
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_subscription_id ON webhook_deliveries (subscription_id, id DESC)`,
    );
    await q.query(`CREATE INDEX ix_webhook_deliveries_event_id ON webhook_deliveries (event_id)`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id bigint NOT NULL CONSTRAINT fk_webhook_attempts_delivery REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        response_status integer,
        error varchar(500),
        response_body varchar(1024)
      )`);
    await q.query(`CREATE INDEX ix_webhook_attempts_delivery_id ON webhook_attempts (delivery_id, attempt)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_subscriptions'])
      await q.query(`DROP TABLE ${table}`);
  }
}
