import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Extensions, trunks, caller ids and API tokens, and the PJSIP realtime views Asterisk reads
 * (res_config_pgsql + sorcery). Only active rows appear in the views, so disabling a row
 * makes Asterisk refuse it on the next SIP request.
 */
export class Foundation1763790000000 implements MigrationInterface {
  name = 'Foundation1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE extensions (
        id serial PRIMARY KEY,
        number varchar(10) NOT NULL,
        display_name varchar(64) NOT NULL DEFAULT '',
        sip_realm varchar(64) NOT NULL,
        md5_cred char(32) NOT NULL,
        outbound_caller_id varchar(32),
        status varchar(16) NOT NULL DEFAULT 'active' CONSTRAINT ck_extensions_status CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_extensions_number UNIQUE (number)
      )`);
    await q.query(`
      CREATE TABLE trunks (
        id serial PRIMARY KEY,
        name varchar(100) NOT NULL,
        host varchar(253) NOT NULL,
        port integer NOT NULL DEFAULT 5060 CONSTRAINT ck_trunks_port CHECK (port BETWEEN 1 AND 65535),
        transport varchar(3) NOT NULL DEFAULT 'udp' CONSTRAINT ck_trunks_transport CHECK (transport IN ('udp', 'tcp')),
        username varchar(64),
        password varchar(128),
        status varchar(16) NOT NULL DEFAULT 'active' CONSTRAINT ck_trunks_status CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_trunks_name UNIQUE (name)
      )`);
    await q.query(`
      CREATE TABLE caller_ids (
        id serial PRIMARY KEY,
        number varchar(32) NOT NULL,
        label varchar(100) NOT NULL DEFAULT '',
        trunk_id integer CONSTRAINT fk_caller_ids_trunk REFERENCES trunks (id) ON DELETE RESTRICT,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_caller_ids_number UNIQUE (number)
      )`);
    await q.query(`CREATE INDEX ix_caller_ids_trunk_id ON caller_ids (trunk_id)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id serial PRIMARY KEY,
        name varchar(100) NOT NULL,
        scopes text[] NOT NULL,
        token_hash char(64) NOT NULL,
        prefix varchar(16) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash)
      )`);

    // --- PJSIP realtime (column names as in Asterisk's contrib/ast-db-manage schema) ---
    await q.query(`
      CREATE VIEW ps_endpoints AS
      SELECT e.number::text AS id, 'transport-udp'::text AS transport, e.number::text AS aors,
             e.number::text AS auth, NULL::text AS outbound_auth, 'pbx-internal'::text AS context,
             'all'::text AS disallow, 'ulaw,alaw'::text AS allow, 'no'::text AS direct_media,
             'rfc4733'::text AS dtmf_mode, 'yes'::text AS rtp_symmetric, 'yes'::text AS force_rport,
             'yes'::text AS rewrite_contact,
             CASE WHEN e.display_name = '' THEN '<' || e.number || '>'
                  ELSE '"' || e.display_name || '" <' || e.number || '>' END AS callerid,
             NULL::text AS from_user, NULL::text AS from_domain,
             'no'::text AS send_pai, 'yes'::text AS trust_id_inbound, 'no'::text AS trust_id_outbound,
             NULL::text AS mailboxes
        FROM extensions e WHERE e.status = 'active'
      UNION ALL
      SELECT 'trunk-' || t.id, 'transport-' || t.transport, 'trunk-' || t.id,
             NULL, CASE WHEN t.username IS NOT NULL THEN 'trunk-' || t.id || '-auth' END, 'pbx-from-trunk',
             'all', 'ulaw,alaw', 'no', 'rfc4733', 'yes', 'yes', 'no',
             NULL, t.username, NULL,
             'yes', 'yes', 'yes', NULL
        FROM trunks t WHERE t.status = 'active'`);
    await q.query(`
      CREATE VIEW ps_auths AS
      SELECT e.number::text AS id, 'md5'::text AS auth_type, e.number::text AS username,
             e.sip_realm::text AS realm, e.md5_cred::text AS md5_cred, NULL::text AS password,
             NULL::integer AS nonce_lifetime
        FROM extensions e WHERE e.status = 'active'
      UNION ALL
      SELECT 'trunk-' || t.id || '-auth', 'userpass', t.username, NULL, NULL, t.password, NULL
        FROM trunks t WHERE t.status = 'active' AND t.username IS NOT NULL`);
    await q.query(`
      CREATE VIEW ps_aors AS
      SELECT e.number::text AS id, NULL::text AS contact, 1 AS max_contacts, 'yes'::text AS remove_existing,
             60 AS minimum_expiration, 3600 AS maximum_expiration, 300 AS default_expiration,
             0 AS qualify_frequency, NULL::text AS mailboxes, NULL::text AS outbound_proxy,
             'no'::text AS support_path, 'yes'::text AS remove_unavailable
        FROM extensions e WHERE e.status = 'active'
      UNION ALL
      SELECT 'trunk-' || t.id, 'sip:' || t.host || ':' || t.port, 0, 'no', 60, 3600, 300, 0, NULL, NULL, 'no', 'no'
        FROM trunks t WHERE t.status = 'active'`);
    await q.query(`
      CREATE VIEW ps_endpoint_id_ips AS
      SELECT 'trunk-' || t.id AS id, 'trunk-' || t.id AS endpoint, (t.host || ':' || t.port)::text AS match,
             NULL::text AS srv_lookups, NULL::text AS match_header
        FROM trunks t WHERE t.status = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const view of ['ps_endpoint_id_ips', 'ps_aors', 'ps_auths', 'ps_endpoints'])
      await q.query(`DROP VIEW ${view}`);
    for (const table of ['api_tokens', 'caller_ids', 'trunks', 'extensions']) await q.query(`DROP TABLE ${table}`);
  }
}
