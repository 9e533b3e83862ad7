import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Click-to-call `auto_answer` (SPEC section 3) turns a desk phone into a room microphone, so an
 * admin allows it per extension; existing extensions do not.
 */
export class AutoAnswer1763960000000 implements MigrationInterface {
  name = 'AutoAnswer1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE extensions ADD COLUMN auto_answer_allowed boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE extensions DROP COLUMN auto_answer_allowed`);
  }
}
