import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Click-to-call: calls and their legs, the per-call event stream (the webhook outbox source),
 * CDRs, idempotency keys, and admin-managed outbound routes.
 */
export class Calls1763800000000 implements MigrationInterface {
  name = 'Calls1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calls (
        call_uuid uuid PRIMARY KEY,
        status varchar(24) NOT NULL,
        a_leg_uuid uuid NOT NULL,
        b_leg_uuid uuid NOT NULL,
        from_extension varchar(10) NOT NULL,
        to_phone varchar(32) NOT NULL,
        caller_id varchar(32) NOT NULL,
        trunk_id integer,
        trunk_name varchar(100),
        routing_mode varchar(24) NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        route_plan jsonb NOT NULL DEFAULT '[]',
        token_id integer,
        last_sequence integer NOT NULL DEFAULT 0,
        disposition varchar(16),
        hangup_cause integer,
        hangup_cause_text varchar(64),
        hangup_by varchar(8),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_calls_live ON calls (status) WHERE status <> 'ended'`);
    await q.query(`CREATE INDEX ix_calls_created_at ON calls (created_at)`);
    await q.query(`
      CREATE TABLE call_legs (
        leg_uuid uuid PRIMARY KEY,
        call_uuid uuid NOT NULL CONSTRAINT fk_call_legs_call REFERENCES calls (call_uuid) ON DELETE CASCADE,
        leg char(1) NOT NULL CONSTRAINT ck_call_legs_leg CHECK (leg IN ('a', 'b')),
        endpoint varchar(200) NOT NULL,
        trunk_id integer,
        state varchar(16) NOT NULL DEFAULT 'created',
        created_at timestamptz NOT NULL DEFAULT now(),
        ringing_at timestamptz,
        answered_at timestamptz,
        ended_at timestamptz,
        hangup_cause integer,
        hangup_cause_text varchar(64)
      )`);
    await q.query(`CREATE INDEX ix_call_legs_call_uuid ON call_legs (call_uuid)`);
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
      CREATE TABLE cdrs (
        id bigserial PRIMARY KEY,
        call_uuid uuid NOT NULL,
        from_extension varchar(10) NOT NULL,
        to_phone varchar(32) NOT NULL,
        caller_id varchar(32) NOT NULL,
        trunk_id integer,
        trunk_name varchar(100),
        routing_mode varchar(24) NOT NULL,
        started_at timestamptz NOT NULL,
        answered_at timestamptz,
        ended_at timestamptz NOT NULL,
        duration integer NOT NULL,
        billsec integer NOT NULL,
        disposition varchar(16) NOT NULL,
        hangup_cause integer,
        hangup_cause_text varchar(64),
        hangup_by varchar(8),
        a_leg_uuid uuid NOT NULL,
        a_started_at timestamptz,
        a_answered_at timestamptz,
        a_ended_at timestamptz,
        b_leg_uuid uuid,
        b_started_at timestamptz,
        b_answered_at timestamptz,
        b_ended_at timestamptz,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_cdrs_call_uuid UNIQUE (call_uuid)
      )`);
    // keyset paging newest first, and the common filters within a date range
    await q.query(`CREATE INDEX ix_cdrs_started_at_id ON cdrs (started_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_cdrs_to_phone_started_at ON cdrs (to_phone, started_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_cdrs_extension_started_at ON cdrs (from_extension, started_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        token_id integer NOT NULL,
        key varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        call_uuid uuid NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_idempotency_keys PRIMARY KEY (token_id, key)
      )`);
    await q.query(`
      CREATE TABLE outbound_routes (
        id serial PRIMARY KEY,
        name varchar(100) NOT NULL,
        pattern varchar(40) NOT NULL,
        strip integer NOT NULL DEFAULT 0,
        prepend varchar(16) NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_outbound_routes_name UNIQUE (name),
        CONSTRAINT uq_outbound_routes_pattern UNIQUE (pattern)
      )`);
    await q.query(`
      CREATE TABLE outbound_route_trunks (
        route_id integer NOT NULL CONSTRAINT fk_route_trunks_route REFERENCES outbound_routes (id) ON DELETE CASCADE,
        trunk_id integer NOT NULL CONSTRAINT fk_route_trunks_trunk REFERENCES trunks (id) ON DELETE RESTRICT,
        position integer NOT NULL,
        CONSTRAINT pk_outbound_route_trunks PRIMARY KEY (route_id, position)
      )`);
    await q.query(`CREATE INDEX ix_outbound_route_trunks_trunk_id ON outbound_route_trunks (trunk_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'outbound_route_trunks',
      'outbound_routes',
      'idempotency_keys',
      'cdrs',
      'call_events',
      'call_legs',
      'calls',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
