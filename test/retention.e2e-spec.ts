import { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  addMonths,
  createMonthPartition,
  dropMonthPartition,
  listPartitions,
  Month,
  monthOf,
  monthStart,
  partitionName,
} from '../libs/database/src';
import { CdrInput, CdrWriter } from '../libs/cdrs/src';
import { RetentionJob } from '../apps/worker/src/retention/retention.job';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { SipPeer, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Bounded growth (SPEC section 5) on the real PostgreSQL: the worker's retention job deletes
 * what its settings let go and nothing else, drops old months as partitions, makes the months
 * ahead; expired idempotency keys place a new call on the real Asterisk.
 */
describe('retention and growth', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let job: RetentionJob;
  let appDb: DataSource;
  let db: Client;
  let subscriptionId: number;
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    api = await startTestApi({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    worker = await startTestWorker(
      {
        EVENTS_RETENTION_DAYS: '1',
        CALLS_RETENTION_DAYS: '30',
        WEBHOOK_DELIVERIES_RETENTION_DAYS: '1',
        CDR_RETENTION_MONTHS: '12',
        // the seeded "live" call must stay live: no reconcile during the test
        RECONCILE_INTERVAL_MS: '3600000',
      },
      workerLog,
    );
    job = worker.get(RetentionJob);
    // the test runs the job itself, when its rows are in place (this stops only the schedule)
    await job.onModuleDestroy();
    appDb = worker.get(DataSource);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    // inactive: its pending deliveries stay pending
    subscriptionId = (
      await api
        .post('/api/pbx/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['pbx.call.ringing'], active: false })
        .expect(201)
    ).body.data.id;
  });

  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  const ago = (ms: number) => new Date(Date.now() - ms);

  async function seedCall(createdAt: Date, endedAt: Date | null, status = 'ended'): Promise<string> {
    const uuid = randomUUID();
    const aLeg = randomUUID();
    await db.query(
      `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode,
                          last_sequence, disposition, created_at, updated_at, ended_at)
       VALUES ($1, $2, $3, $4, '1001', '0901234567', '02812345678', 'dialplan_default', 9, $5, $6, $6, $7)`,
      [uuid, status, aLeg, randomUUID(), endedAt ? 'ANSWERED' : null, createdAt, endedAt],
    );
    await db.query(
      `INSERT INTO call_legs (leg_uuid, call_uuid, leg, endpoint, channel_id, created_at) VALUES ($1, $2, 'a', 'PJSIP/1001', $4, $3)`,
      [aLeg, uuid, createdAt, aLeg],
    );
    await db.query(
      `INSERT INTO call_commands (call_uuid, kind, status, created_at, deadline) VALUES ($1, 'hangup', 'done', $2, $2)`,
      [uuid, createdAt],
    );
    return uuid;
  }

  let sequence = 0;
  /** A call's event (or an extension's, without a call). */
  async function seedEvent(at: Date, callUuid: string | null = null): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO call_events (id, call_uuid, sequence, extension, type, occurred_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, '{}')`,
      [
        id,
        callUuid,
        callUuid ? ++sequence : null,
        callUuid ? null : '2001',
        callUuid ? 'pbx.call.ringing' : 'pbx.extension.state_changed',
        at,
      ],
    );
    return id;
  }

  /** A delivery of the event: pending, or finished at `at` with one attempt. */
  async function seedDelivery(eventId: string, callUuid: string | null, status: string, at: Date): Promise<string> {
    const {
      rows: [{ id }],
    } = await db.query(
      `INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, call_uuid, sequence, status, created_at, completed_at)
       VALUES ($1, $2, 'pbx.call.ringing', $3, $4, $5, $6, $7) RETURNING id`,
      [subscriptionId, eventId, callUuid, callUuid ? 1 : null, status, at, status === 'pending' ? null : at],
    );
    if (status !== 'pending')
      await db.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, response_status) VALUES ($1, 1, $2, 5, 200)`,
        [id, at],
      );
    return String(id);
  }

  async function seedCdr(startedAt: Date, callUuid = randomUUID()): Promise<string> {
    await db.query(
      `INSERT INTO cdrs (call_uuid, from_extension, extension, from_number, to_phone, to_number, caller_id, routing_mode,
                         started_at, ended_at, duration, billsec, disposition, a_leg_uuid)
       VALUES ($1, '1001', '1001', '1001', '0901234567', '0901234567', '1001', 'direct_gateway', $2, $3, 30, 20, 'ANSWERED', $4)`,
      [callUuid, startedAt, new Date(startedAt.getTime() + 30_000), randomUUID()],
    );
    return callUuid;
  }

  const exists = async (sql: string, ...values: unknown[]) => (await db.query(sql, values)).rows.length > 0;
  const callExists = (uuid: string) => exists('SELECT 1 FROM calls WHERE call_uuid = $1', uuid);
  const eventExists = (id: string) => exists('SELECT 1 FROM call_events WHERE id = $1', id);
  const deliveryExists = (id: string) => exists('SELECT 1 FROM webhook_deliveries WHERE id = $1', id);
  const cdrExists = (callUuid: string) => exists('SELECT 1 FROM cdrs WHERE call_uuid = $1', callUuid);
  const partitionOf = async (table: string, where: string, value: unknown) =>
    (await db.query(`SELECT tableoid::regclass::text AS part FROM ${table} WHERE ${where} = $1`, [value])).rows[0]
      ?.part as string | undefined;
  const partitionNames = async (table: string) => (await listPartitions(appDb, table)).map((p) => p.name);
  /** a day inside the month */
  const inMonth = (month: Month, day = 3) => new Date(monthStart(month).getTime() + day * DAY);

  it('deletes exactly what the settings let go, drops old months, makes the months ahead', async () => {
    const thisMonth = monthOf(new Date());
    const droppable = addMonths(thisMonth, -14);
    const heldMonth = addMonths(thisMonth, -15);
    const ahead = addMonths(thisMonth, 2);

    // calls: old and ended (goes with everything), ended 3 days ago (stays: CALLS_RETENTION_DAYS=30, its
    // events go: EVENTS_RETENTION_DAYS=1), ended 10 h ago (all stays), old but live, old with a pending
    // delivery, old with a recording file, old with a deleted recording
    const oldCall = await seedCall(ago(40 * DAY), ago(40 * DAY));
    const oldEvent = await seedEvent(ago(40 * DAY), oldCall);
    const oldDelivery = await seedDelivery(oldEvent, oldCall, 'succeeded', ago(40 * DAY));
    const midCall = await seedCall(ago(3 * DAY), ago(3 * DAY));
    const midEvent = await seedEvent(ago(3 * DAY), midCall);
    const midDelivery = await seedDelivery(midEvent, midCall, 'failed', ago(3 * DAY));
    const recentCall = await seedCall(ago(10 * HOUR), ago(10 * HOUR));
    const recentEvent = await seedEvent(ago(10 * HOUR), recentCall);
    const recentDelivery = await seedDelivery(recentEvent, recentCall, 'succeeded', ago(10 * HOUR));
    const liveCall = await seedCall(ago(40 * DAY), null, 'answered');
    const heldCall = await seedCall(ago(40 * DAY), ago(40 * DAY));
    const heldEvent = await seedEvent(ago(40 * DAY), heldCall);
    const heldDelivery = await seedDelivery(heldEvent, heldCall, 'pending', ago(40 * DAY));
    const heldCallOtherEvent = await seedEvent(ago(40 * DAY), heldCall);
    const recordedCall = await seedCall(ago(40 * DAY), ago(40 * DAY));
    const unrecordedCall = await seedCall(ago(40 * DAY), ago(40 * DAY));
    for (const [uuid, status] of [
      [recordedCall, 'ready'],
      [unrecordedCall, 'deleted'],
    ])
      await db.query(`INSERT INTO recordings (token, call_uuid, status, created_at) VALUES ($1, $2, $3, $4)`, [
        randomBytes(32).toString('base64url'),
        uuid,
        status,
        ago(40 * DAY),
      ]);
    // events without a call, a pending delivery whose event is gone, idempotency keys
    const oldExtensionEvent = await seedEvent(ago(2 * DAY));
    const recentExtensionEvent = await seedEvent(ago(23 * HOUR));
    const orphan = await seedDelivery(randomUUID(), null, 'pending', ago(HOUR));
    for (const [key, age] of [
      ['expired', 25 * HOUR],
      ['fresh', 23 * HOUR],
    ] as const)
      await db.query(
        `INSERT INTO idempotency_keys (token_id, key, request_hash, call_uuid, response, created_at)
         VALUES (0, $1, repeat('0', 64), $2, '{}', $3)`,
        [`retention-${key}-${uniqueNumber()}`, randomUUID(), ago(age)],
      );

    // control commands of a call that stays: one stuck `running` for 25 h (its worker died), one of an hour ago
    const command = async (status: string, age: number) =>
      (
        await db.query<{ id: string }>(
          `INSERT INTO call_commands (call_uuid, kind, status, created_at, deadline)
           VALUES ($1, 'hangup', $2, $3, $3::timestamptz + interval '5 seconds') RETURNING id`,
          [recentCall, status, ago(age)],
        )
      ).rows[0].id;
    const [oldCommand, freshCommand] = [await command('running', 25 * HOUR), await command('done', HOUR)];

    // an old month that can drop: its rows were in the default partition, then got their month (moved over)
    const droppedCall = await seedCall(inMonth(droppable), inMonth(droppable, 4));
    const droppedEvent = await seedEvent(inMonth(droppable), droppedCall);
    const droppedExtensionEvent = await seedEvent(inMonth(droppable, 5));
    const droppedDelivery = await seedDelivery(droppedEvent, droppedCall, 'succeeded', ago(HOUR));
    const droppedCdr = await seedCdr(inMonth(droppable));
    expect(await partitionOf('call_events', 'id', droppedEvent)).toBe('pbx_partitions.call_events_default');
    expect(await createMonthPartition(appDb, 'call_events', droppable)).toBe(true);
    expect(await createMonthPartition(appDb, 'cdrs', droppable)).toBe(true);
    expect(await createMonthPartition(appDb, 'cdrs', droppable)).toBe(false);
    expect(await partitionOf('call_events', 'id', droppedEvent)).toBe(
      `pbx_partitions.${partitionName('call_events', droppable)}`,
    );
    expect(await partitionOf('cdrs', 'call_uuid', droppedCdr)).toBe(
      `pbx_partitions.${partitionName('cdrs', droppable)}`,
    );
    // an old month that must stay: one of its events still has a pending delivery
    await createMonthPartition(appDb, 'call_events', heldMonth);
    const heldMonthEvent = await seedEvent(inMonth(heldMonth));
    const heldMonthDelivery = await seedDelivery(heldMonthEvent, null, 'pending', inMonth(heldMonth));
    const heldMonthOtherEvent = await seedEvent(inMonth(heldMonth, 6));
    // CDRs: an older month without a partition (default), a recent one
    const strayOldCdr = await seedCdr(inMonth(addMonths(thisMonth, -20)));
    const recentCdr = await seedCdr(ago(2 * DAY));
    // the month after next loses its partitions; an event already dated then waits in the default one
    for (const table of ['call_events', 'cdrs'])
      if ((await partitionNames(table)).includes(partitionName(table, ahead)))
        await dropMonthPartition(appDb, table, partitionName(table, ahead));
    const futureEvent = await seedEvent(inMonth(ahead));
    expect(await partitionOf('call_events', 'id', futureEvent)).toBe('pbx_partitions.call_events_default');

    const since = Date.now();
    const report = await job.run();
    expect(report.skipped).toBe(false);
    expect(workerLog.errorsSince(since)).toEqual([]);

    // what goes
    expect(await callExists(oldCall)).toBe(false);
    expect(await exists('SELECT 1 FROM call_legs WHERE call_uuid = $1', oldCall)).toBe(false);
    expect(await exists('SELECT 1 FROM call_commands WHERE call_uuid = $1', oldCall)).toBe(false);
    expect(await eventExists(oldEvent)).toBe(false);
    expect(await deliveryExists(oldDelivery)).toBe(false);
    expect(await exists('SELECT 1 FROM webhook_attempts WHERE delivery_id = $1', oldDelivery)).toBe(false);
    expect(await eventExists(midEvent)).toBe(false);
    expect(await deliveryExists(midDelivery)).toBe(false);
    expect(await eventExists(heldCallOtherEvent)).toBe(false);
    expect(await callExists(unrecordedCall)).toBe(false);
    expect(await exists('SELECT 1 FROM recordings WHERE call_uuid = $1', unrecordedCall)).toBe(false);
    expect(await eventExists(oldExtensionEvent)).toBe(false);
    expect(await deliveryExists(orphan)).toBe(false);
    expect(await exists(`SELECT 1 FROM idempotency_keys WHERE key LIKE 'retention-expired-%'`)).toBe(false);
    // what stays
    expect(await callExists(midCall)).toBe(true);
    expect(await exists('SELECT 1 FROM call_legs WHERE call_uuid = $1', midCall)).toBe(true);
    expect(await callExists(recentCall)).toBe(true);
    expect(await eventExists(recentEvent)).toBe(true);
    expect(await deliveryExists(recentDelivery)).toBe(true);
    expect(await callExists(liveCall)).toBe(true);
    expect(await callExists(heldCall)).toBe(true);
    expect(await eventExists(heldEvent)).toBe(true);
    expect(await deliveryExists(heldDelivery)).toBe(true);
    expect(await callExists(recordedCall)).toBe(true);
    expect(await eventExists(recentExtensionEvent)).toBe(true);
    expect(await exists(`SELECT 1 FROM idempotency_keys WHERE key LIKE 'retention-fresh-%'`)).toBe(true);
    expect(await exists('SELECT 1 FROM call_commands WHERE id = $1', oldCommand)).toBe(false);
    expect(await exists('SELECT 1 FROM call_commands WHERE id = $1', freshCommand)).toBe(true);

    // the old month dropped whole, its deliveries with it; the held month stays, only its free rows went
    const eventParts = await partitionNames('call_events');
    expect(eventParts).not.toContain(partitionName('call_events', droppable));
    expect(report.dropped).toEqual(
      expect.arrayContaining([partitionName('call_events', droppable), partitionName('cdrs', droppable)]),
    );
    expect(await eventExists(droppedEvent)).toBe(false);
    expect(await eventExists(droppedExtensionEvent)).toBe(false);
    expect(await deliveryExists(droppedDelivery)).toBe(false);
    expect(eventParts).toContain(partitionName('call_events', heldMonth));
    expect(await eventExists(heldMonthEvent)).toBe(true);
    expect(await deliveryExists(heldMonthDelivery)).toBe(true);
    expect(await eventExists(heldMonthOtherEvent)).toBe(false);
    // CDRs: the month and the stray went, the recent one stays and the search still answers
    expect(await partitionNames('cdrs')).not.toContain(partitionName('cdrs', droppable));
    expect(await cdrExists(droppedCdr)).toBe(false);
    expect(await cdrExists(strayOldCdr)).toBe(false);
    expect(await cdrExists(recentCdr)).toBe(true);
    // (by call, across every partition left: the database may hold many other CDRs)
    const search = async (callUuid: string) =>
      (
        await api
          .get(
            `/api/pbx/cdrs?${new URLSearchParams({ from: inMonth(addMonths(thisMonth, -24)).toISOString(), call_uuid: callUuid })}`,
          )
          .expect(200)
      ).body.data.map((c: { call_uuid: string }) => c.call_uuid) as string[];
    expect(await search(recentCdr)).toEqual([recentCdr]);
    expect(await search(droppedCdr)).toEqual([]);
    // the months ahead exist again, and the event that waited in the default partition moved in
    for (const table of ['call_events', 'cdrs'])
      expect(await partitionNames(table)).toEqual(
        expect.arrayContaining([0, 1, 2].map((n) => partitionName(table, addMonths(thisMonth, n)))),
      );
    expect(report.created).toEqual(
      expect.arrayContaining([partitionName('call_events', ahead), partitionName('cdrs', ahead)]),
    );
    expect(await partitionOf('call_events', 'id', futureEvent)).toBe(
      `pbx_partitions.${partitionName('call_events', ahead)}`,
    );
    expect(report.deleted).toMatchObject({ calls: 3, idempotency_keys: 1, cdrs: 2 });

    // a second run finds nothing more to do and creates nothing
    const again = await job.run();
    expect(again.created).toEqual([]);
    expect(again.dropped).toEqual([]);
    expect(again.deleted.calls).toBe(0);
  });

  it('keeps exactly one CDR per call: a second write for the same call is ignored', async () => {
    const writer = worker.get(CdrWriter, { strict: false });
    const callUuid = randomUUID();
    const startedAt = ago(3 * HOUR);
    const input: CdrInput = {
      callUuid,
      direction: 'click_to_call',
      fromNumber: '1001',
      toNumber: '0901234567',
      did: null,
      extension: '1001',
      fromExtension: '1001',
      toPhone: '0901234567',
      callerId: '1001',
      trunkId: null,
      trunkName: null,
      routingMode: 'direct_gateway',
      startedAt,
      endedAt: ago(2 * HOUR),
      disposition: 'NO ANSWER',
      hangupCause: 16,
      hangupCauseText: 'Normal Clearing',
      hangupBy: 'a',
      caller: { uuid: randomUUID(), startedAt, answeredAt: null, endedAt: ago(2 * HOUR) },
      callee: null,
      headers: {},
    };
    expect(await appDb.transaction((manager) => writer.record(manager, input))).not.toBeNull();
    expect(await appDb.transaction((manager) => writer.record(manager, { ...input, endedAt: new Date() }))).toBeNull();
    const { rows } = await db.query('SELECT count(*)::int AS n FROM cdrs WHERE call_uuid = $1', [callUuid]);
    expect(rows[0].n).toBe(1);
  });

  describe('idempotency keys expire after 24 h (real click-to-call)', () => {
    let peer: SipPeer;
    let trunk: { id: number };

    beforeAll(async () => {
      peer = await SipPeer.connect(api.context);
      trunk = (
        await api
          .post('/api/pbx/trunks', {
            name: `carrier-${uniqueNumber()}`,
            host: api.context.peer.carrierAddress,
            port: api.context.peer.carrierPort,
          })
          .expect(201)
      ).body.data;
    });

    afterAll(async () => {
      await peer?.close();
    });

    it('an expired key places a new call and is taken over; a fresh one replays; twins racing on it get one call', async () => {
      const number = uniqueNumber();
      const password = phonePassword(number);
      const created = await api.post('/api/pbx/extensions', { number, password }).expect(201);
      await peer.addPhone(number, password);
      await peer.waitRegistration(number, 'Registered');
      await waitUntil(
        async () => (await api.get(`/api/pbx/extensions/${created.body.data.id}`)).body.data.registered === true,
        5_000,
        'registered',
      );
      peer.setBehavior(`phone-${number}`, { kind: 'ring' });
      const token = await api.newToken();
      const body = { from_extension: number, to_phone: `09${uniqueNumber()}`, trunk_id: trunk.id };
      const key = `expiring-${uniqueNumber()}`;
      const place = () => api.post('/api/pbx/calls/click-to-call', body, token).set('Idempotency-Key', key);
      const expire = () =>
        db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
      const hangUp = async (uuid: string) => {
        await api.post(`/api/pbx/calls/${uuid}/hangup`, {}).expect((r) => expect([202, 409]).toContain(r.status));
        await waitUntil(
          async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'ended',
          15_000,
          'ended',
        );
      };

      const first = (await place().expect(202)).body.data;
      expect((await place().expect(202)).body.data).toEqual(first);
      await hangUp(first.call_uuid);

      await expire();
      const second = (await place().expect(202)).body.data;
      expect(second.call_uuid).not.toBe(first.call_uuid);
      // the key now stands for the new call
      expect((await place().expect(202)).body.data).toEqual(second);
      await hangUp(second.call_uuid);

      await expire();
      const twins = await Promise.all([place(), place()]);
      expect(twins.map((r) => r.status)).toEqual([202, 202]);
      expect(twins[0].body.data.call_uuid).toBe(twins[1].body.data.call_uuid);
      expect(twins[0].body.data.call_uuid).not.toBe(second.call_uuid);
      await hangUp(twins[0].body.data.call_uuid);

      const { rows } = await db.query('SELECT count(*)::int AS n FROM calls WHERE from_extension = $1', [number]);
      expect(rows[0].n).toBe(3);
      const keys = await db.query('SELECT call_uuid FROM idempotency_keys WHERE key = $1', [key]);
      expect(keys.rows).toEqual([{ call_uuid: twins[0].body.data.call_uuid }]);
    });
  });
});
