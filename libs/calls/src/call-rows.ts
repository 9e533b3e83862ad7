import { EntityManager, ObjectLiteral } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';

/**
 * The funnel's reads and writes as plain SQL, built once from the entities' TypeORM metadata (so
 * the columns have one definition). The funnel runs several times per call on the worker's hot
 * path; TypeORM's query builders cost more CPU than the queries themselves, and reading the call
 * with its legs in one statement saves a round trip per change.
 */
export class CallRows {
  private readonly call: Table<Call>;
  private readonly leg: Table<CallLeg>;
  private readonly lockSql: string;

  constructor(manager: EntityManager) {
    this.call = new Table(manager, Call);
    this.leg = new Table(manager, CallLeg);
    const legColumns = this.leg.columns.map((c) => `l."${c.databaseName}" AS "l_${c.databaseName}"`).join(', ');
    this.lockSql = `SELECT c.*, ${legColumns}
        FROM (SELECT * FROM calls WHERE call_uuid = $1 FOR UPDATE) c
        LEFT JOIN call_legs l ON l.call_uuid = c.call_uuid
       ORDER BY l.created_at, l.leg_uuid`;
  }

  /** The call, row-locked until the transaction ends, and its legs oldest first; null if unknown. */
  async lock(manager: EntityManager, callUuid: string): Promise<{ call: Call; legs: CallLeg[] } | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(this.lockSql, [callUuid]);
    if (rows.length === 0) return null;
    return {
      call: this.call.hydrate(rows[0]),
      legs: rows.filter((row) => row.l_leg_uuid !== null).map((row) => this.leg.hydrate(row, 'l_')),
    };
  }

  updateCall(manager: EntityManager, call: Call): Promise<unknown> {
    return this.call.update(manager, call);
  }

  insertLeg(manager: EntityManager, leg: CallLeg): Promise<unknown> {
    return this.leg.insert(manager, leg);
  }

  updateLeg(manager: EntityManager, leg: CallLeg): Promise<unknown> {
    return this.leg.update(manager, leg);
  }
}

class Table<T extends ObjectLiteral> {
  readonly columns: ColumnMetadata[];
  private readonly key: ColumnMetadata;
  private readonly others: ColumnMetadata[];
  private readonly insertSql: string;
  private readonly updateSql: string;

  constructor(
    manager: EntityManager,
    private readonly entity: new () => T,
  ) {
    const metadata = manager.connection.getMetadata(entity);
    this.columns = metadata.columns;
    this.key = metadata.primaryColumns[0];
    this.others = this.columns.filter((c) => c !== this.key);
    const names = this.columns.map((c) => `"${c.databaseName}"`).join(', ');
    const values = this.columns.map((c, i) => `$${i + 1}::${cast(c)}`).join(', ');
    this.insertSql = `INSERT INTO "${metadata.tableName}" (${names}) VALUES (${values})`;
    const sets = this.others.map((c, i) => `"${c.databaseName}" = $${i + 2}::${cast(c)}`).join(', ');
    this.updateSql = `UPDATE "${metadata.tableName}" SET ${sets} WHERE "${this.key.databaseName}" = $1`;
  }

  hydrate(row: Record<string, unknown>, prefix = ''): T {
    const entity = new this.entity() as Record<string, unknown>;
    for (const column of this.columns) entity[column.propertyName] = row[`${prefix}${column.databaseName}`];
    return entity as T;
  }

  insert(manager: EntityManager, entity: T): Promise<unknown> {
    return manager.query(this.insertSql, this.columns.map((c) => param(c, entity)));
  }

  update(manager: EntityManager, entity: T): Promise<unknown> {
    return manager.query(this.updateSql, [param(this.key, entity), ...this.others.map((c) => param(c, entity))]);
  }
}

/** jsonb values go as JSON text: pg would send a JS array as a PostgreSQL array literal. */
function param(column: ColumnMetadata, entity: ObjectLiteral): unknown {
  const value = entity[column.propertyName];
  if (value === undefined) return null;
  return column.type === 'jsonb' && value !== null ? JSON.stringify(value) : value;
}

function cast(column: ColumnMetadata): string {
  const type = String(column.type);
  return type === 'char' ? 'bpchar' : type;
}
