import { DataSource } from 'typeorm';
import { ConfigError, DatabaseLogins, databaseLoginsFrom } from '@pbx/config';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';
import { ensureRoles, grantRoles } from './roles';

/**
 * Creates the database if needed, the least-privilege roles if missing, applies pending
 * migrations, then hands the tables to pbx_app and grants the other roles their objects.
 * `databaseUrl` is the privileged login; role passwords default to none (left as they are).
 */
export async function migrate(
  databaseUrl: string,
  log: (line: string) => void = () => undefined,
  passwords: DatabaseLogins['passwords'] = { app: '', asterisk: '', reporting: '' },
): Promise<void> {
  await ensureDatabase(databaseUrl);
  await ensureRoles({ adminUrl: databaseUrl, passwords });
  const dataSource = new DataSource(dataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) log(`applied migration ${migration.name}`);
    if (applied.length === 0) log('database schema is up to date');
  } finally {
    await dataSource.destroy();
  }
  await grantRoles(databaseUrl);
  log('roles pbx_app, pbx_asterisk and pbx_reporting provisioned');
}

if (require.main === module) {
  const problems: string[] = [];
  const logins = databaseLoginsFrom(process.env, problems);
  (problems.length > 0 ? Promise.reject(new ConfigError(problems)) : Promise.resolve())
    .then(() => migrate(logins.adminUrl, (line) => console.log(`[migrate] ${line}`), logins.passwords))
    .catch((error) => {
      console.error(`[migrate] failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
