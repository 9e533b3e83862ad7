import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EventLog, StreamCursor } from '@pbx/calls';
import { testContext } from './harness/test-context';

/**
 * The stream's read rule on the real PostgreSQL: a transaction that takes a lower position (or
 * its transaction id) first and commits last is never skipped, and nothing is read past a
 * transaction still in flight.
 */
describe('EventLog: stored order without gaps (real PostgreSQL)', () => {
  const context = testContext();
  let dataSource: DataSource;
  let log: EventLog;
  let a: Client;
  let b: Client;
  let callUuid: string;

  beforeAll(async () => {
    dataSource = new DataSource({ type: 'postgres', url: context.databaseUrl });
    await dataSource.initialize();
    log = new EventLog(dataSource);
    a = new Client({ connectionString: context.databaseUrl });
    b = new Client({ connectionString: context.databaseUrl });
    await a.connect();
    await b.connect();
    callUuid = randomUUID();
    await a.query(`INSERT INTO calls (call_uuid, status, a_leg_uuid, direction) VALUES ($1, 'ended', $2, 'inbound')`, [
      callUuid,
      randomUUID(),
    ]);
  });

  afterAll(async () => {
    await a?.end();
    await b?.end();
    await dataSource?.destroy();
  });

  let sequence = 0;
  async function store(client: Client): Promise<string> {
    const id = randomUUID();
    sequence++;
    await client.query(
      `INSERT INTO call_events (id, call_uuid, sequence, type, occurred_at, payload)
       VALUES ($1::uuid, $2, $3, 'pbx.call.ringing', now(), jsonb_build_object('id', $1::text))`,
      [id, callUuid, sequence],
    );
    return id;
  }

  /**
   * Reads like the stream until `count` events came (other work on this PostgreSQL, any database,
   * may hold a transaction in flight for a moment: the reader then waits for it, as it must).
   */
  async function readUntil(from: StreamCursor, count: number): Promise<{ ids: string[]; cursor: StreamCursor }> {
    const ids: string[] = [];
    let cursor = from;
    const deadline = Date.now() + 10_000;
    while (ids.length < count && Date.now() < deadline) {
      const read = await readAll(cursor);
      ids.push(...read.ids);
      cursor = read.cursor;
      if (ids.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { ids, cursor };
  }

  async function waitFor(condition: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every event after `from`, in pages of 2, as the stream reads them. */
  async function readAll(from: StreamCursor): Promise<{ ids: string[]; cursor: StreamCursor }> {
    const ids: string[] = [];
    let cursor = from;
    for (;;) {
      const page = await log.readAfter(cursor, 2);
      ids.push(...page.map((e) => e.id));
      if (page.length === 0) return { ids, cursor };
      cursor = page[page.length - 1].cursor;
    }
  }

  it('a lower position committed after a higher one is read once it commits, never skipped', async () => {
    const start = await log.head();
    await a.query('BEGIN');
    const first = await store(a); // lower position, still in flight
    await b.query('BEGIN');
    const second = await store(b);
    await b.query('COMMIT');

    const early = await readAll(start);
    expect(early.ids).toEqual([]); // b is held back behind a, which may still commit
    expect(await log.heldBack(early.cursor)).toBe(true);

    await a.query('COMMIT');
    const later = await readUntil(early.cursor, 2);
    expect(later.ids).toEqual([first, second]);
    await waitFor(async () => !(await log.heldBack(later.cursor)));
  });

  it('a transaction that got its id first but stores its event last comes first, and is not skipped either', async () => {
    const start = await log.head();
    await a.query('BEGIN');
    await a.query('SELECT pg_current_xact_id()'); // a's transaction id is older than b's
    await b.query('BEGIN');
    const fromB = await store(b); // b takes the lower position
    await b.query('COMMIT');
    const fromA = await store(a);
    expect((await readAll(start)).ids).toEqual([]);
    await a.query('COMMIT');
    expect((await readUntil(start, 2)).ids).toEqual([fromA, fromB]);
  });

  it('a rolled-back transaction leaves no hole that stops the reader', async () => {
    const start = await log.head();
    await a.query('BEGIN');
    await store(a);
    const kept = await store(b);
    await a.query('ROLLBACK');
    expect((await readUntil(start, 1)).ids).toEqual([kept]);
    expect((await readAll((await readUntil(start, 1)).cursor)).ids).toEqual([]);
  });

  it('resumePoint finds a stored event; an unknown id is null', async () => {
    const id = await store(a);
    const point = await log.resumePoint(id);
    expect(point?.cursor.position).toMatch(/^\d+$/);
    expect(await log.resumePoint(randomUUID())).toBeNull();
  });
});
