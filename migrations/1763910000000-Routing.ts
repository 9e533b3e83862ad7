import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing of every call (SPEC §2): ring groups (libs/ring-groups), inbound routes from a DID
 * and trunk to an extension or ring group (libs/inbound-routes), the dial policy every call
 * leaving through a trunk obeys (libs/dial-policy, one row), and per extension whether its
 * phone may call out (`outbound`, denied unless an admin allows it). Existing extensions get
 * `denied`: nothing could call out from a phone before, so nothing changes for them.
 */
export class Routing1763910000000 implements MigrationInterface {
  name = 'Routing1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE extensions ADD COLUMN outbound varchar(8) NOT NULL DEFAULT 'denied'
        CONSTRAINT ck_extensions_outbound CHECK (outbound IN ('allowed', 'denied'))`);

    await q.query(`
      CREATE TABLE ring_groups (
        id serial PRIMARY KEY,
        name varchar(100) NOT NULL,
        strategy varchar(16) NOT NULL DEFAULT 'ringall'
          CONSTRAINT ck_ring_groups_strategy CHECK (strategy IN ('ringall', 'sequential')),
        -- extension numbers, in ringing order (sequential); no foreign key can reach array items,
        -- so libs/extensions asks this domain before deleting or renumbering one
        members text[] NOT NULL CONSTRAINT ck_ring_groups_members CHECK (cardinality(members) BETWEEN 1 AND 50),
        member_timeout integer NOT NULL DEFAULT 15
          CONSTRAINT ck_ring_groups_member_timeout CHECK (member_timeout BETWEEN 1 AND 600),
        ring_timeout integer NOT NULL DEFAULT 30
          CONSTRAINT ck_ring_groups_ring_timeout CHECK (ring_timeout BETWEEN 1 AND 600),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_ring_groups_name UNIQUE (name)
      )`);
    await q.query(`CREATE INDEX ix_ring_groups_members ON ring_groups USING gin (members)`);

    await q.query(`
      CREATE TABLE inbound_routes (
        id serial PRIMARY KEY,
        -- as given ('+' kept); '' = any number
        did varchar(33) NOT NULL,
        -- what calls are matched on: one leading '+' stripped
        did_norm varchar(32) GENERATED ALWAYS AS (CASE WHEN left(did, 1) = '+' THEN substr(did, 2) ELSE did END) STORED,
        trunk_id integer CONSTRAINT fk_inbound_routes_trunk REFERENCES trunks (id) ON DELETE RESTRICT,
        destination_type varchar(16) NOT NULL
          CONSTRAINT ck_inbound_routes_destination_type CHECK (destination_type IN ('extension', 'ring_group')),
        destination_extension varchar(10),
        destination_ring_group_id integer
          CONSTRAINT fk_inbound_routes_ring_group REFERENCES ring_groups (id) ON DELETE RESTRICT,
        ring_timeout integer NOT NULL DEFAULT 30
          CONSTRAINT ck_inbound_routes_ring_timeout CHECK (ring_timeout BETWEEN 1 AND 600),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_inbound_routes_destination CHECK (
          (destination_type = 'extension' AND destination_extension IS NOT NULL AND destination_ring_group_id IS NULL)
          OR (destination_type = 'ring_group' AND destination_ring_group_id IS NOT NULL AND destination_extension IS NULL))
      )`);
    // one route per DID and trunk, "any trunk" (NULL) counting as one value
    await q.query(
      `CREATE UNIQUE INDEX uq_inbound_routes_did_trunk ON inbound_routes (did_norm, coalesce(trunk_id, 0))`,
    );
    await q.query(`CREATE INDEX ix_inbound_routes_trunk_id ON inbound_routes (trunk_id)`);
    await q.query(`CREATE INDEX ix_inbound_routes_ring_group_id ON inbound_routes (destination_ring_group_id)`);
    await q.query(`CREATE INDEX ix_inbound_routes_extension ON inbound_routes (destination_extension)`);

    await q.query(`
      CREATE TABLE dial_policy (
        id smallint PRIMARY KEY DEFAULT 1 CONSTRAINT ck_dial_policy_single_row CHECK (id = 1),
        allowed_prefixes text[] NOT NULL DEFAULT '{}',
        denied_prefixes text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // empty lists: national numbers allowed, international ones denied until an admin allows them
    await q.query(`INSERT INTO dial_policy (id) VALUES (1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dial_policy`);
    await q.query(`DROP TABLE inbound_routes`);
    await q.query(`DROP TABLE ring_groups`);
    await q.query(`ALTER TABLE extensions DROP COLUMN outbound`);
  }
}
