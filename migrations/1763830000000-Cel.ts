import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Asterisk's channel event log (cel_pgsql writes it; columns as Asterisk expects). The worker
 * reads it after a restart to close legs that ended while it was away with their real end
 * times and causes. Rows older than two days are purged by the worker.
 */
export class Cel1763830000000 implements MigrationInterface {
  name = 'Cel1763830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cel (
        id bigserial PRIMARY KEY,
        eventtype varchar(30) NOT NULL,
        eventtime timestamp NOT NULL,
        userdeftype varchar(255),
        cid_name varchar(80),
        cid_num varchar(80),
        cid_ani varchar(80),
        cid_rdnis varchar(80),
        cid_dnid varchar(80),
        exten varchar(80),
        context varchar(80),
        channame varchar(80),
        appname varchar(80),
        appdata varchar(512),
        accountcode varchar(20),
        peeraccount varchar(20),
        uniqueid varchar(150) NOT NULL,
        linkedid varchar(150),
        amaflags integer,
        userfield varchar(255),
        peer varchar(80),
        extra text
      )`);
    await q.query(`CREATE INDEX ix_cel_uniqueid ON cel (uniqueid)`);
    await q.query(`CREATE INDEX ix_cel_eventtime ON cel (eventtime)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cel`);
  }
}
