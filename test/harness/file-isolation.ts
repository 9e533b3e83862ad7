import { Client } from 'pg';
import { testContext } from './test-context';

/**
 * Runs before each end-to-end file (jest.e2e.config.js, setupFilesAfterEnv). The files share one
 * database: webhook subscriptions an earlier file left active point at receivers that are gone,
 * and this file's worker would keep retrying them (load and log noise, never a result). They
 * are switched off, with a reason, before this file's own hooks run.
 */
beforeAll(async () => {
  const db = new Client({ connectionString: testContext().databaseUrl });
  await db.connect();
  try {
    await db.query(
      `UPDATE webhook_subscriptions SET active = false, disabled_reason = 'left by an earlier test file', updated_at = now()
        WHERE active`,
    );
  } finally {
    await db.end();
  }
});
