import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SIP bans (libs/security): one row per banned address, kept across restarts. Asterisk does
 * not read this table: the worker and the API copy the live bans into Asterisk's astdb, one
 * res_pjsip_acl `deny` rule per address (see asterisk/templates/pbx/sorcery.conf).
 */
export class SipBans1763900000000 implements MigrationInterface {
  name = 'SipBans1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sip_bans (
        address inet PRIMARY KEY,
        failures integer NOT NULL,
        banned_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sip_bans`);
  }
}
