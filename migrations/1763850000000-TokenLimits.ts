import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Limited `calls` tokens (SPEC §5): the extensions and trunks a token may use and how many live
 * calls it may have at once; null = unlimited, so existing tokens keep their behaviour.
 */
export class TokenLimits1763850000000 implements MigrationInterface {
  name = 'TokenLimits1763850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_tokens
        ADD COLUMN extensions varchar(10)[],
        ADD COLUMN trunk_ids integer[],
        ADD COLUMN max_concurrent_calls integer CONSTRAINT ck_api_tokens_max_concurrent_calls CHECK (max_concurrent_calls BETWEEN 1 AND 10000)`);
    // click-to-call counts a limited token's live calls under its row lock: this keeps the count
    // to that token's few live rows instead of every live call of the PBX
    await q.query(`CREATE INDEX ix_calls_live_token_id ON calls (token_id) WHERE status <> 'ended'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_calls_live_token_id`);
    await q.query(
      `ALTER TABLE api_tokens DROP COLUMN max_concurrent_calls, DROP COLUMN trunk_ids, DROP COLUMN extensions`,
    );
  }
}
