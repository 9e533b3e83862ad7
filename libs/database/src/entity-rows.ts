import { DataSource, EntityManager, ObjectLiteral } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { preparedQuery } from './prepared';

/**
 * Plain SQL for one entity's table, built once from its TypeORM metadata (so the columns keep
 * one definition), for hot paths where TypeORM's query builders cost more CPU than the query:
 * find by a WHERE clause, insert, and update of every column by primary key, each a prepared
 * statement. Columns marked `select: false` (secrets) are never read.
 */
export class EntityRows<T extends ObjectLiteral> {
  readonly table: string;
  readonly columns: ColumnMetadata[];
  /** the columns a read returns (without `select: false` ones) */
  readonly readable: ColumnMetadata[];
  private readonly key: ColumnMetadata;
  private readonly others: ColumnMetadata[];
  private readonly insertSql: string;
  private readonly updateSql: string;
  private readonly selectList: string;

  /** The one EntityRows of `entity` for `manager`'s data source, built on first use. */
  static of<E extends ObjectLiteral>(manager: EntityManager, entity: new () => E): EntityRows<E> {
    let perEntity = built.get(manager.connection);
    if (!perEntity)
      built.set(manager.connection, (perEntity = new Map<new () => ObjectLiteral, EntityRows<ObjectLiteral>>()));
    let rows = perEntity.get(entity) as EntityRows<E> | undefined;
    if (!rows) perEntity.set(entity, (rows = new EntityRows(manager, entity)));
    return rows;
  }

  constructor(
    manager: EntityManager,
    private readonly entity: new () => T,
  ) {
    const metadata = manager.connection.getMetadata(entity);
    this.table = metadata.tableName;
    this.columns = metadata.columns;
    this.readable = this.columns.filter((c) => c.isSelect);
    this.key = metadata.primaryColumns[0];
    this.others = this.columns.filter((c) => c !== this.key);
    const names = this.columns.map((c) => `"${c.databaseName}"`).join(', ');
    const values = this.columns.map((c, i) => `$${i + 1}::${cast(c)}`).join(', ');
    this.insertSql = `INSERT INTO "${this.table}" (${names}) VALUES (${values})`;
    const sets = this.others.map((c, i) => `"${c.databaseName}" = $${i + 2}::${cast(c)}`).join(', ');
    this.updateSql = `UPDATE "${this.table}" SET ${sets} WHERE "${this.key.databaseName}" = $1`;
    this.selectList = this.readable.map((c) => `"${c.databaseName}"`).join(', ');
  }

  /** `alias."col" AS "prefix_col"` for every readable column, to read this table in a join */
  selectAs(alias: string, prefix: string): string {
    return this.readable.map((c) => `${alias}."${c.databaseName}" AS "${prefix}${c.databaseName}"`).join(', ');
  }

  /** The first row matching `where` (SQL with $n parameters), or null. */
  async findOne(manager: EntityManager, where: string, parameters: unknown[]): Promise<T | null> {
    const { rows } = await preparedQuery(
      manager,
      `SELECT ${this.selectList} FROM "${this.table}" WHERE ${where} LIMIT 1`,
      parameters,
    );
    return rows.length ? this.hydrate(rows[0]) : null;
  }

  hydrate(row: Record<string, unknown>, prefix = ''): T {
    const entity = new this.entity() as Record<string, unknown>;
    for (const column of this.readable) entity[column.propertyName] = row[`${prefix}${column.databaseName}`];
    return entity as T;
  }

  insert(manager: EntityManager, entity: T): Promise<unknown> {
    return preparedQuery(
      manager,
      this.insertSql,
      this.columns.map((c) => param(c, entity)),
    );
  }

  update(manager: EntityManager, entity: T): Promise<unknown> {
    return preparedQuery(manager, this.updateSql, [
      param(this.key, entity),
      ...this.others.map((c) => param(c, entity)),
    ]);
  }
}

const built = new WeakMap<DataSource, Map<new () => ObjectLiteral, EntityRows<ObjectLiteral>>>();

/** jsonb values go as JSON text: pg would send a JS array as a PostgreSQL array literal. */
function param(column: ColumnMetadata, entity: ObjectLiteral): unknown {
  const value: unknown = entity[column.propertyName];
  if (value === undefined) return null;
  return column.type === 'jsonb' && value !== null ? JSON.stringify(value) : value;
}

function cast(column: ColumnMetadata): string {
  const type = String(column.type) === 'char' ? 'bpchar' : String(column.type);
  return column.isArray ? `${type}[]` : type;
}
