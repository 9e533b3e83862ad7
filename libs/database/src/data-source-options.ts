import * as path from 'node:path';
import { DataSourceOptions } from 'typeorm';

/** TypeORM options shared by the apps, the migration command and the tests. Entities are added by their modules. */
export function dataSourceOptions(
  databaseUrl: string,
  entities: DataSourceOptions['entities'] = [],
  pool: { max: number; acquireTimeoutMs: number } = { max: 10, acquireTimeoutMs: 2_000 },
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    migrations: [path.join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}')],
    // fail fast when PostgreSQL is away, or every pool connection is busy, so the API answers 503
    // instead of queueing requests without bound (pg's connectionTimeoutMillis also bounds the
    // wait for a free pooled connection); keepAlive notices a silently dropped connection
    extra: {
      max: pool.max,
      connectionTimeoutMillis: pool.acquireTimeoutMs,
      statement_timeout: 10_000,
      keepAlive: true,
    },
  };
}
