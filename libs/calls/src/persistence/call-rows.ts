import { EntityManager } from 'typeorm';
import { EntityRows, preparedQuery } from '@pbx/database';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';

/**
 * The funnel's reads and writes as plain SQL (see EntityRows): the funnel runs several times per
 * call on the worker's hot path, and reading the call with its legs in one statement saves a
 * round trip per change.
 */
export class CallRows {
  private readonly call: EntityRows<Call>;
  private readonly leg: EntityRows<CallLeg>;
  private readonly lockSql: string;

  constructor(manager: EntityManager) {
    this.call = EntityRows.of(manager, Call);
    this.leg = EntityRows.of(manager, CallLeg);
    this.lockSql = `SELECT ${this.call.selectAs('c', '')}, ${this.leg.selectAs('l', 'l_')}
        FROM (SELECT * FROM calls WHERE call_uuid = $1 FOR UPDATE) c
        LEFT JOIN call_legs l ON l.call_uuid = c.call_uuid
       ORDER BY l.created_at, l.leg_uuid`;
  }

  /** The call, row-locked until the transaction ends, and its legs oldest first; null if unknown. */
  async lock(manager: EntityManager, callUuid: string): Promise<{ call: Call; legs: CallLeg[] } | null> {
    const { rows } = await preparedQuery(manager, this.lockSql, [callUuid]);
    if (rows.length === 0) return null;
    return {
      call: this.call.hydrate(rows[0]),
      legs: rows.filter((row) => row.l_leg_uuid !== null).map((row) => this.leg.hydrate(row, 'l_')),
    };
  }

  updateCall(manager: EntityManager, call: Call): Promise<unknown> {
    return this.call.update(manager, call);
  }

  insertCall(manager: EntityManager, call: Call): Promise<unknown> {
    return this.call.insert(manager, call);
  }

  insertLeg(manager: EntityManager, leg: CallLeg): Promise<unknown> {
    return this.leg.insert(manager, leg);
  }

  updateLeg(manager: EntityManager, leg: CallLeg): Promise<unknown> {
    return this.leg.update(manager, leg);
  }
}
