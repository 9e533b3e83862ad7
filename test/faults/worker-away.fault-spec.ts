import { randomBytes } from 'node:crypto';
import { FaultFixture } from '../harness/fault-fixture';
import { sleep, waitUntil } from '../harness/sip-peer';

const RECONCILE_INTERVAL_MS = '2000';

/**
 * The worker away (SPEC section 2, "When the worker is away"): stopped, calls between
 * extensions still connect through the dialplan's own Dial() and a carrier's call is refused
 * with 503 at once (the carrier fails over); frozen, the carrier gets 503 after the 10 s
 * adoption timeout. When the worker is back, each of those calls becomes one call with its
 * events and one CDR, with CEL's times, however often it restarts; the CEL purge keeps what is
 * not accounted for yet.
 */
describe('fault: the worker away', () => {
  const fx = new FaultFixture({ RECONCILE_INTERVAL_MS });
  const did = `8429${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  let callee: string;

  beforeAll(async () => {
    await fx.start();
    callee = await fx.agent();
    const route = await fx.request('POST', '/api/pbx/inbound-routes', {
      did,
      destination: { type: 'extension', number: callee },
      ring_timeout: 5,
    });
    expect(route.status).toBe(201);
  });
  afterAll(() => fx.stop());

  const callsWhere = async (sql: string, values: unknown[]) =>
    (await fx.db.query(`SELECT * FROM calls WHERE ${sql} ORDER BY created_at`, values)).rows;
  const eventsOf = async (callUuid: string) =>
    (await fx.db.query('SELECT type, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [callUuid]))
      .rows;
  const cdrsOf = async (callUuid: string) =>
    (await fx.db.query('SELECT * FROM cdrs WHERE call_uuid = $1', [callUuid])).rows;
  const reconciled = async () => {
    const text = await (await fetch(fx.worker.metricsUrl)).text();
    return Number(/pbx_reconcile_runs_total\{outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  async function restartWorker(): Promise<void> {
    await fx.worker.stop();
    fx.worker = fx.newWorker();
    await fx.worker.start();
    await waitUntil(async () => (await reconciled()) >= 1, 20_000, 'a reconcile run of the new worker');
  }
  const near = (at: Date | string, ms: number) => expect(Math.abs(new Date(at).getTime() - ms)).toBeLessThan(1_000);

  it('stopped: an internal call connects, a carrier gets 503; restarted twice: each call once, with CEL times', async () => {
    const caller = await fx.agent();
    fx.peer.setBehavior(`phone-${callee}`, { kind: 'answer', afterMs: 300 });
    await fx.worker.stop();

    const dialledAt = Date.now();
    const placed = await fx.peer.dial(caller, callee);
    const ringing = await fx.peer.waitForCall((c) => c.exten === `phone-${callee}` && !c.ended);
    expect(ringing.callerNumber).toBe(caller);
    await waitUntil(() => fx.peer.calls.find((c) => c.channelId === ringing.channelId)!.answered, 5_000, 'answer');
    const answeredAt = Date.now();
    await sleep(1_500);
    const hungUpAt = Date.now();
    await fx.peer.hangup(placed);
    expect(await fx.peer.outcome(placed)).toMatchObject({ answered: true });

    const before = fx.peer.calls.length;
    const carrierAt = Date.now();
    const carrier = await fx.peer.carrierCall({ did, fromUser: '0987000777' });
    const refused = await fx.peer.outcome(carrier);
    expect(refused).toMatchObject({ answered: false, cause: 34, sipCode: 503 });
    expect(refused.afterMs).toBeLessThan(3_000);
    expect(fx.peer.calls.slice(before).some((c) => c.exten === `phone-${callee}`)).toBe(false);
    const endedAt = Date.now();
    expect(await callsWhere('to_number = $1 OR did = $2', [callee, did])).toEqual([]);

    await restartWorker();
    await restartWorker();

    const internal = await callsWhere('to_number = $1 AND from_number = $2', [callee, caller]);
    const inbound = await callsWhere('did = $1', [did]);
    expect(internal).toHaveLength(1);
    expect(inbound).toHaveLength(1);

    expect(internal[0]).toMatchObject({
      direction: 'internal',
      extension: caller,
      status: 'ended',
      disposition: 'ANSWERED',
      hangup_by: 'a',
    });
    expect((await eventsOf(internal[0].call_uuid)).map((e) => e.type)).toEqual([
      'pbx.call.started',
      'pbx.call.ringing',
      'pbx.call.answered',
      'pbx.call.leg_ended',
      'pbx.call.leg_ended',
      'pbx.call.hangup',
      'pbx.cdr.created',
    ]);
    const [internalCdr, ...moreInternal] = await cdrsOf(internal[0].call_uuid);
    expect(moreInternal).toEqual([]);
    near(internalCdr.started_at, dialledAt);
    near(internalCdr.answered_at, answeredAt);
    near(internalCdr.ended_at, hungUpAt);

    expect(inbound[0]).toMatchObject({
      direction: 'inbound',
      from_number: '0987000777',
      to_number: did,
      status: 'ended',
      disposition: 'FAILED',
      hangup_by: 'system',
      hangup_cause: 34,
    });
    const events = await eventsOf(inbound[0].call_uuid);
    expect(events.map((e) => e.type)).toEqual([
      'pbx.call.started',
      'pbx.call.leg_ended',
      'pbx.call.missed',
      'pbx.call.hangup',
      'pbx.cdr.created',
    ]);
    expect(events[3].payload.hangup).toMatchObject({ disposition: 'FAILED', hangup_by: 'system', cause: 34 });
    const [inboundCdr, ...moreInbound] = await cdrsOf(inbound[0].call_uuid);
    expect(moreInbound).toEqual([]);
    near(inboundCdr.started_at, carrierAt);
    near(inboundCdr.ended_at, endedAt);
    expect(inboundCdr).toMatchObject({ direction: 'inbound', did, disposition: 'FAILED', hangup_by: 'system' });
  }, 90_000);

  it('a number that is no active extension does not connect while the worker is away', async () => {
    const caller = await fx.agent();
    await fx.worker.stop();
    try {
      const before = fx.peer.calls.length;
      const placed = await fx.peer.dial(caller, '0912345678');
      expect(await fx.peer.outcome(placed)).toMatchObject({ answered: false });
      expect(fx.peer.calls.length).toBe(before);
    } finally {
      fx.worker = fx.newWorker();
      await fx.worker.start();
    }
  });

  it('frozen (SIGSTOP): a carrier gets 503 after the 10 s adoption timeout; recorded once it wakes', async () => {
    const frozen = fx.worker.pid!;
    process.kill(frozen, 'SIGSTOP');
    let outcome;
    try {
      const carrier = await fx.peer.carrierCall({ did, fromUser: '0987000888' });
      outcome = await fx.peer.outcome(carrier, 20_000);
    } finally {
      process.kill(frozen, 'SIGCONT');
    }
    expect(outcome).toMatchObject({ answered: false, cause: 34, sipCode: 503 });
    expect(outcome.afterMs).toBeGreaterThan(9_000);
    expect(outcome.afterMs).toBeLessThan(12_000);
    await waitUntil(
      async () => (await callsWhere('from_number = $1', ['0987000888'])).length > 0,
      45_000,
      'the frozen-time call recorded',
    );
    await sleep(5_000); // more reconcile runs: still one
    const calls = await callsWhere('from_number = $1', ['0987000888']);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ direction: 'inbound', disposition: 'FAILED', hangup_by: 'system' });
    expect(await cdrsOf(calls[0].call_uuid)).toHaveLength(1);
  }, 90_000);

  it('the CEL purge keeps the rows of calls not yet accounted for', async () => {
    const tag = randomBytes(4).toString('hex');
    const day = 24 * 3_600_000;
    const rows: Array<[string, number]> = [
      [`kept-${tag}`, 3 * day], // not accounted for (never finished): kept
      [`done-${tag}`, 3 * day], // accounted for: purged after two days
      [`orphan-${tag}`, 31 * day], // not accounted for, past the long bound: purged
      [`recent-${tag}`, 1 * day], // accounted for, recent: kept
    ];
    for (const [linkedid, age] of rows)
      await fx.db.query(
        `INSERT INTO cel (eventtype, eventtime, uniqueid, linkedid, channame)
         VALUES ('CHAN_START', (now() AT TIME ZONE 'UTC') - ($1 || ' milliseconds')::interval, $2, $2, 'PJSIP/x-00000001')`,
        [String(age), linkedid],
      );
    await fx.db.query(
      `INSERT INTO cel_linkedids (linkedid, outcome, accounted_at) VALUES ($1, 'handled', now() - interval '3 days'),
       ($2, 'handled', now())`,
      [`done-${tag}`, `recent-${tag}`],
    );
    await restartWorker(); // the first run of a worker purges
    const left = await fx.db.query('SELECT DISTINCT linkedid FROM cel WHERE linkedid LIKE $1 ORDER BY linkedid', [
      `%-${tag}`,
    ]);
    expect(left.rows.map((r) => r.linkedid)).toEqual([`kept-${tag}`, `recent-${tag}`]);
    const marks = await fx.db.query('SELECT linkedid FROM cel_linkedids WHERE linkedid LIKE $1', [`%-${tag}`]);
    expect(marks.rows.map((r) => r.linkedid)).toEqual([`recent-${tag}`]);
  });
});
