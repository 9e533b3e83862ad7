import { DataSource, EntityManager } from 'typeorm';
import { PARTITIONS_SCHEMA } from './roles';

/**
 * Monthly range partitions (migration EventStream): `pbx_partitions.<table>_<yyyy>_<mm>` holds
 * [first of the month, first of the next) in UTC, `<table>_default` anything else. The owning
 * domain calls these for its own table; names are made here from a checked table name and a
 * month, never from outside input.
 */

/** A month, as the UTC instant it starts. */
export interface Month {
  year: number;
  /** 1-12 */
  month: number;
}

export interface MonthPartition {
  /** unqualified name in pbx_partitions */
  name: string;
  /** null for the default partition */
  month: Month | null;
  /** [from, to): null for the default partition */
  from: Date | null;
  to: Date | null;
}

const TABLE_NAME = /^[a-z][a-z0-9_]{0,40}$/;
/** how long DDL waits for the parent's lock before giving up until the next run (never blocks calls for long) */
const LOCK_TIMEOUT = '5s';
const LOCK_NOT_AVAILABLE = '55P03';

export function checkedTable(table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`not a partitioned table name: ${JSON.stringify(table)}`);
  return table;
}

export function monthOf(at: Date): Month {
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1 };
}

export function addMonths({ year, month }: Month, count: number): Month {
  const index = year * 12 + (month - 1) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function monthStart({ year, month }: Month): Date {
  return new Date(Date.UTC(year, month - 1, 1));
}

/** [first instant of the month, first instant of the next) */
export function monthRange(month: Month): { from: Date; to: Date } {
  return { from: monthStart(month), to: monthStart(addMonths(month, 1)) };
}

export function partitionName(table: string, { year, month }: Month): string {
  if (!Number.isInteger(year) || year < 1970 || year > 9999 || !Number.isInteger(month) || month < 1 || month > 12)
    throw new Error(`not a month: ${year}-${month}`);
  return `${checkedTable(table)}_${String(year).padStart(4, '0')}_${String(month).padStart(2, '0')}`;
}

export function defaultPartitionName(table: string): string {
  return `${checkedTable(table)}_default`;
}

/** The month a partition name stands for, or null when it is not `<table>_<yyyy>_<mm>`. */
export function monthOfPartition(table: string, name: string): Month | null {
  const match = new RegExp(`^${checkedTable(table)}_(\\d{4})_(\\d{2})$`).exec(name);
  if (!match) return null;
  const month = { year: Number(match[1]), month: Number(match[2]) };
  return month.month >= 1 && month.month <= 12 ? month : null;
}

/** This month and the `ahead` months after it. */
export function monthsToEnsure(now: Date, ahead: number): Month[] {
  const first = monthOf(now);
  return Array.from({ length: ahead + 1 }, (_, i) => addMonths(first, i));
}

/** The month partitions whose whole range lies before `cutoff` (the default one never does). */
export function partitionsWhollyBefore(partitions: readonly MonthPartition[], cutoff: Date): MonthPartition[] {
  return partitions
    .filter((p) => p.month !== null && p.to !== null && p.to.getTime() <= cutoff.getTime())
    .sort((a, b) => a.from!.getTime() - b.from!.getTime());
}

type Db = DataSource | EntityManager;

/** The table's partitions with their ranges, read from the catalog (ranges as PostgreSQL has them). */
export async function listPartitions(db: Db, table: string): Promise<MonthPartition[]> {
  const rows = await db.query<Array<{ name: string; bound: string; from_ts: Date | null; to_ts: Date | null }>>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS from_ts,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS to_ts
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.inhparent = to_regclass($1) AND n.nspname = $2
      ORDER BY from_ts NULLS LAST`,
    [`public.${checkedTable(table)}`, PARTITIONS_SCHEMA],
  );
  return rows.map((row) => ({
    name: row.name,
    month: row.bound === 'DEFAULT' ? null : monthOfPartition(table, row.name),
    from: row.from_ts,
    to: row.to_ts,
  }));
}

/**
 * Makes sure this month and the next `ahead` months have their partition. Safe to run twice at
 * once (a creation that lost the race is ignored). Rows already in the default partition for a
 * month that gets its partition are moved into it in the same transaction (PostgreSQL refuses the
 * partition otherwise). Returns the partitions created.
 */
export async function ensureMonthlyPartitions(
  dataSource: DataSource,
  table: string,
  now: Date,
  ahead: number,
): Promise<string[]> {
  const existing = await listPartitions(dataSource, table);
  const created: string[] = [];
  for (const month of monthsToEnsure(now, ahead)) {
    const { from, to } = monthRange(month);
    // a partition of another shape that covers any of the month: leave it, never fail every hour
    if (existing.some((p) => p.from !== null && p.to !== null && p.from < to && p.to > from)) continue;
    if (await createMonthPartition(dataSource, table, month)) created.push(partitionName(table, month));
  }
  return created;
}

/** Creates one month's partition (moving its rows out of the default one); false when it already exists. */
export async function createMonthPartition(dataSource: DataSource, table: string, month: Month): Promise<boolean> {
  const name = partitionName(table, month);
  const { from, to } = monthRange(month);
  const parent = `public.${checkedTable(table)}`;
  const bounds = `FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`;
  try {
    await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      const fallback = (await listPartitions(manager, table)).find((p) => p.month === null && p.from === null);
      const column = await partitionColumn(manager, table);
      const moving =
        fallback !== undefined &&
        (
          await manager.query<unknown[]>(
            `SELECT 1 FROM ${PARTITIONS_SCHEMA}.${fallback.name} WHERE ${column} >= $1 AND ${column} < $2 LIMIT 1`,
            [from, to],
          )
        ).length > 0;
      if (!moving) {
        await manager.query(`CREATE TABLE ${PARTITIONS_SCHEMA}.${name} PARTITION OF ${parent} FOR VALUES ${bounds}`);
        return;
      }
      // the month's rows leave the default partition and come back through the parent into the new one
      const columns = await insertableColumns(manager, table);
      await manager.query(`CREATE TEMP TABLE pbx_moving ON COMMIT DROP AS SELECT ${columns} FROM ${parent} LIMIT 0`);
      await manager.query(
        `WITH moved AS (DELETE FROM ${PARTITIONS_SCHEMA}.${fallback.name} WHERE ${column} >= $1 AND ${column} < $2 RETURNING ${columns})
         INSERT INTO pbx_moving SELECT ${columns} FROM moved`,
        [from, to],
      );
      await manager.query(`CREATE TABLE ${PARTITIONS_SCHEMA}.${name} PARTITION OF ${parent} FOR VALUES ${bounds}`);
      await manager.query(`INSERT INTO ${parent} (${columns}) SELECT ${columns} FROM pbx_moving`);
    });
    return true;
  } catch (error) {
    // 42P07 duplicate_table, 23505 (pg_type name) and 42P17 (overlap): another worker made it first;
    // 55P03: the table was busy past the lock timeout, the next run tries again
    const code = (error as { code?: string }).code;
    if (code === '42P07' || code === '23505' || code === '42P17' || code === LOCK_NOT_AVAILABLE) return false;
    throw error;
  }
}

/**
 * Detaches, then drops one month partition of `table`, in one transaction. `name` must be one
 * of the table's month partitions as listed; anything else is refused. False when the table
 * stayed busy past the lock timeout (nothing changed; the next run tries again).
 */
export async function dropMonthPartition(dataSource: DataSource, table: string, name: string): Promise<boolean> {
  const partition = (await listPartitions(dataSource, table)).find((p) => p.name === name);
  if (!partition || partition.month === null || partitionName(table, partition.month) !== name)
    throw new Error(`${JSON.stringify(name)} is not a month partition of ${table}`);
  try {
    await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await manager.query(`ALTER TABLE public.${checkedTable(table)} DETACH PARTITION ${PARTITIONS_SCHEMA}.${name}`);
      await manager.query(`DROP TABLE ${PARTITIONS_SCHEMA}.${name}`);
    });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
    throw error;
  }
}

/** The column the table is partitioned by (RANGE over one column). */
async function partitionColumn(db: Db, table: string): Promise<string> {
  const [row] = await db.query<Array<{ key: string | null }>>(`SELECT pg_get_partkeydef(to_regclass($1)) AS key`, [
    `public.${checkedTable(table)}`,
  ]);
  const match = /^RANGE \(([a-z_][a-z0-9_]*)\)$/.exec(row?.key ?? '');
  if (!match) throw new Error(`${table} is not partitioned by range of one column`);
  return match[1];
}

/** The table's columns an INSERT may set (generated ones are left out), quoted. */
async function insertableColumns(db: Db, table: string): Promise<string> {
  const [{ columns }] = await db.query<Array<{ columns: string }>>(
    `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'`,
    [checkedTable(table)],
  );
  return columns;
}
