import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SIP bans (libs/security): one row per banned address, kept across restarts. Asterisk reads
 * the live ones through ps_acls (res_pjsip_acl, realtime, behind a full memory cache), one
 * `deny` rule per address, so a banned source gets 403 before any authentication.
 */
export class SipBans1763890000000 implements MigrationInterface {
  name = 'SipBans1763890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sip_bans (
        address inet PRIMARY KEY,
        failures integer NOT NULL,
        banned_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    // the columns res_pjsip_acl knows (id, deny); an expired row is no longer a rule
    await q.query(`
      CREATE VIEW ps_acls AS
      SELECT 'ban-' || host(b.address) AS id, host(b.address) AS deny
        FROM sip_bans b WHERE b.expires_at > now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW ps_acls`);
    await q.query(`DROP TABLE sip_bans`);
  }
}
