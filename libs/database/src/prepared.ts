import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

const names = new Map<string, string>();

/** A stable statement name for `text`: the same SQL is prepared once per connection. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `pbx_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement (node-pg prepares it once per connection, then only
 * binds and executes). For the statements that run for every call event: PostgreSQL otherwise
 * plans each one again, which cost more than running it. Inside a transaction (`target` is the
 * transaction's EntityManager) the transaction's own connection is used; otherwise the pool.
 * SQL given here must name its columns (no `SELECT *`), so that a migration adding a column does
 * not break a statement prepared before it.
 */
export async function preparedQuery<R = Record<string, unknown>>(
  target: EntityManager | DataSource,
  text: string,
  values: unknown[],
): Promise<QueryResult<R & Record<string, unknown>>> {
  const config = { name: nameOf(text), text, values };
  const runner = target instanceof DataSource ? undefined : target.queryRunner;
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as PoolClient;
    return client.query<R & Record<string, unknown>>(config);
  }
  const dataSource = target instanceof DataSource ? target : target.connection;
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return pool.query<R & Record<string, unknown>>(config);
}
