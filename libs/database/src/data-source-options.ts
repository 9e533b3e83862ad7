import * as path from 'node:path';
import { DataSourceOptions } from 'typeorm';

/** TypeORM options shared by the apps, the migration command and the tests. Entities are added by their modules. */
export function dataSourceOptions(databaseUrl: string, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    migrations: [path.join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}')],
    // fail fast when PostgreSQL is away so the API answers 503 instead of hanging
    extra: { max: 10, connectionTimeoutMillis: 3_000, statement_timeout: 10_000 },
  };
}
