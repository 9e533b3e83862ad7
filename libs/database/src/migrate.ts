import { DataSource } from 'typeorm';
import { databaseUrlFrom } from '@pbx/config';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';

/** Creates the database if needed and applies pending migrations. */
export async function migrate(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<void> {
  await ensureDatabase(databaseUrl);
  const dataSource = new DataSource(dataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) log(`applied migration ${migration.name}`);
    if (applied.length === 0) log('database schema is up to date');
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  migrate(databaseUrlFrom(), (line) => console.log(`[migrate] ${line}`)).catch((error) => {
    console.error(`[migrate] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
