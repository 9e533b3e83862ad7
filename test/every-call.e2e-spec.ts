import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sipUser, sleep, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

interface CallRow {
  call_uuid: string;
  direction: string;
  status: string;
  disposition: string | null;
  from_number: string | null;
  to_number: string | null;
  did: string | null;
  extension: string | null;
}
interface EventRow {
  type: string;
  leg: string | null;
  payload: { party?: string; leg_extension?: string | null; missed?: { reason: string }; call: CallRow };
}

/**
 * Every call that is not a click-to-call, as a CRM and the far ends see it: a carrier's call to
 * a DID ringing an extension or a ring group, a desk phone calling out through the routes, and
 * an internal call, on the real Asterisk with the SIP test peer as carrier (127.0.0.3) and phones.
 */
describe('every call (real Asterisk, carrier on its own address, desk phones)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let trunk: { id: number; name: string };
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    api = await startTestApi({ RING_TIMEOUT: '5' });
    worker = await startTestWorker(
      { RING_TIMEOUT: '5', CUSTOMER_RING_TIMEOUT: '6', TRUNK_RESPONSE_TIMEOUT: '2' },
      workerLog,
    );
    peer = await SipPeer.connect(api.context);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    trunk = (
      await api
        .post('/api/pbx/trunks', {
          name: `carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data;
    await waitUntil(async () => (await api.http().get('/health')).status === 200, 10_000, 'health');
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  async function phone(fields: Record<string, unknown> = {}, register = true): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    await api.post('/api/pbx/extensions', { number, password, ...fields }).expect(201);
    if (!register) return number;
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    return number;
  }
  const did = () => `8428${uniqueNumber()}`;
  async function route(destination: Record<string, unknown>, ringTimeout = 5): Promise<string> {
    const number = did();
    await api.post('/api/pbx/inbound-routes', { did: number, destination, ring_timeout: ringTimeout }).expect(201);
    return number;
  }
  async function group(members: string[], strategy: string, extra: Record<string, unknown> = {}): Promise<number> {
    return (
      await api
        .post('/api/pbx/ring-groups', {
          name: `group-${uniqueNumber()}`,
          strategy,
          members,
          ring_timeout: 6,
          member_timeout: 3,
          ...extra,
        })
        .expect(201)
    ).body.data.id;
  }
  const callOf = async (where: string, value: string): Promise<CallRow | undefined> =>
    (await db.query(`SELECT * FROM calls WHERE ${where} = $1 ORDER BY created_at DESC LIMIT 1`, [value])).rows[0];
  async function endedCall(where: string, value: string, timeoutMs = 20_000): Promise<CallRow> {
    await waitUntil(async () => (await callOf(where, value))?.status === 'ended', timeoutMs, `call by ${where} ended`);
    return (await callOf(where, value))!;
  }
  const eventsOf = async (callUuid: string): Promise<EventRow[]> =>
    (await db.query('SELECT type, leg, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [callUuid]))
      .rows;
  const cdrOf = async (callUuid: string) =>
    (await db.query('SELECT * FROM cdrs WHERE call_uuid = $1', [callUuid])).rows;

  describe('a carrier calls our number', () => {
    it('rings the routed extension, which answers; the carrier hangs up: SPEC order, one CDR, 180 before 200', async () => {
      const ext = await phone();
      const number = await route({ type: 'extension', number: ext });
      peer.setBehavior(`phone-${ext}`, { kind: 'answer', afterMs: 300 });
      const carrier = await peer.carrierCall({ did: `+${number}`, fromUser: '0987000111' });
      const atPhone = await peer.waitForCall((c) => c.exten === `phone-${ext}`);
      expect(atPhone.callerNumber).toBe('0987000111');
      await waitUntil(async () => (await callOf('did', number))?.status === 'answered', 10_000, 'answered');
      await peer.hangup(carrier);
      const call = await endedCall('did', number);
      expect(call).toMatchObject({
        direction: 'inbound',
        from_number: '0987000111',
        to_number: number,
        did: number,
        extension: ext,
        disposition: 'ANSWERED',
      });
      const events = await eventsOf(call.call_uuid);
      expect(events.map((e) => `${e.type}:${e.leg}`)).toEqual([
        'pbx.call.started:a',
        'pbx.call.ringing:b',
        'pbx.call.answered:b',
        'pbx.call.leg_ended:a',
        'pbx.call.leg_ended:b',
        'pbx.call.hangup:a',
        'pbx.cdr.created:a',
      ]);
      expect(events[1].payload).toMatchObject({ party: 'extension', leg_extension: ext });
      const cdrs = await cdrOf(call.call_uuid);
      expect(cdrs).toHaveLength(1);
      expect(cdrs[0]).toMatchObject({ direction: 'inbound', did: number, extension: ext, disposition: 'ANSWERED' });
      const outcome = await peer.outcome(carrier);
      expect(outcome).toMatchObject({ answered: true, rang: true });
    });

    it('a carrier whose From user is an extension number is still the carrier (inbound)', async () => {
      const ext = await phone();
      const number = await route({ type: 'extension', number: ext });
      peer.setBehavior(`phone-${ext}`, { kind: 'ring' });
      const carrier = await peer.carrierCall({ did: number, fromUser: ext });
      await peer.waitForCall((c) => c.exten === `phone-${ext}`);
      await peer.hangup(carrier);
      const call = await endedCall('did', number);
      expect(call).toMatchObject({ direction: 'inbound', from_number: ext });
    });

    it('no route for the number: the carrier gets 404, a FAILED CDR and no event', async () => {
      const number = did();
      const carrier = await peer.carrierCall({ did: number, fromUser: '0987000222' });
      const outcome = await peer.outcome(carrier);
      expect(outcome).toMatchObject({ answered: false, cause: 1 });
      const call = await endedCall('did', number);
      expect(call.disposition).toBe('FAILED');
      expect(await eventsOf(call.call_uuid)).toEqual([]);
      expect(await cdrOf(call.call_uuid)).toHaveLength(1);
    });

    it('ringall: both phones ring, one answers, the other is cancelled with cause 26', async () => {
      const [first, second] = [await phone(), await phone()];
      const number = await route({ type: 'ring_group', id: await group([first, second], 'ringall') });
      peer.setBehavior(`phone-${first}`, { kind: 'ring' });
      peer.setBehavior(`phone-${second}`, { kind: 'answer', afterMs: 800 });
      const carrier = await peer.carrierCall({ did: number, fromUser: '0987000333' });
      const ringing = await peer.waitForCall((c) => c.exten === `phone-${first}`);
      await waitUntil(async () => (await callOf('did', number))?.status === 'answered', 10_000, 'answered');
      await waitUntil(
        () => peer.calls.find((c) => c.channelId === ringing.channelId)?.cause !== undefined,
        5_000,
        'cancel',
      );
      expect(peer.calls.find((c) => c.channelId === ringing.channelId)?.cause).toBe(26);
      await peer.hangup(carrier);
      const call = await endedCall('did', number);
      expect(call).toMatchObject({ extension: second, disposition: 'ANSWERED' });
      const events = await eventsOf(call.call_uuid);
      expect(
        events
          .filter((e) => e.type === 'pbx.call.ringing')
          .map((e) => e.payload.leg_extension)
          .sort(),
      ).toEqual([first, second].sort());
      expect(events.filter((e) => e.type === 'pbx.call.answered')).toHaveLength(1);
    });

    it('sequential: the first member does not answer, the second does', async () => {
      const [first, second] = [await phone(), await phone()];
      const number = await route({ type: 'ring_group', id: await group([first, second], 'sequential') }, 10);
      peer.setBehavior(`phone-${first}`, { kind: 'ring' });
      peer.setBehavior(`phone-${second}`, { kind: 'answer', afterMs: 200 });
      const carrier = await peer.carrierCall({ did: number, fromUser: '0987000444' });
      await waitUntil(async () => (await callOf('did', number))?.status === 'answered', 15_000, 'answered');
      await peer.hangup(carrier);
      const call = await endedCall('did', number);
      expect(call.extension).toBe(second);
      const rung = (await eventsOf(call.call_uuid)).filter((e) => e.type === 'pbx.call.ringing');
      expect(rung.map((e) => e.payload.leg_extension)).toEqual([first, second]);
    });

    async function missed(number: string, hangUpAfterMs?: number): Promise<{ reason: string; sipCode: number | null }> {
      const carrier = await peer.carrierCall({ did: number, fromUser: '0987000555' });
      if (hangUpAfterMs !== undefined) {
        await sleep(hangUpAfterMs);
        await peer.hangup(carrier);
      }
      const outcome = await peer.outcome(carrier, 20_000);
      expect(outcome.answered).toBe(false);
      const call = await endedCall('did', number);
      const events = await eventsOf(call.call_uuid);
      const types = events.map((e) => e.type);
      expect(types.slice(-3)).toEqual(['pbx.call.missed', 'pbx.call.hangup', 'pbx.cdr.created']);
      return {
        reason: events.find((e) => e.type === 'pbx.call.missed')!.payload.missed!.reason,
        sipCode: outcome.sipCode,
      };
    }

    it('missed: no_answer (the carrier hears 480), busy (486), caller_hangup, no_extension_online', async () => {
      const [a, b] = [await phone(), await phone()];
      peer.setBehavior(`phone-${a}`, { kind: 'ring' });
      peer.setBehavior(`phone-${b}`, { kind: 'ring' });
      const noAnswer = await missed(await route({ type: 'ring_group', id: await group([a, b], 'ringall') }, 3));
      expect(noAnswer.reason).toBe('no_answer');

      const [c, d] = [await phone(), await phone()];
      peer.setBehavior(`phone-${c}`, { kind: 'reject', cause: 'busy' });
      peer.setBehavior(`phone-${d}`, { kind: 'reject', cause: 'busy' });
      const busy = await missed(await route({ type: 'ring_group', id: await group([c, d], 'ringall') }));
      expect(busy.reason).toBe('busy');

      const e = await phone();
      peer.setBehavior(`phone-${e}`, { kind: 'ring' });
      const gaveUp = await missed(await route({ type: 'extension', number: e }, 20), 1_500);
      expect(gaveUp.reason).toBe('caller_hangup');

      const offline = await phone({}, false);
      const nobody = await missed(await route({ type: 'extension', number: offline }));
      expect(nobody.reason).toBe('no_extension_online');
    }, 90_000);
  });

  describe('a desk phone calls', () => {
    it('out through a route with failover, showing its outbound caller id at the carrier', async () => {
      const caller = await phone({ outbound: 'allowed', outbound_caller_id: '02838001234' });
      const dead = (
        await api
          .post('/api/pbx/trunks', {
            name: `dead-${uniqueNumber()}`,
            host: api.context.peer.carrierAddress,
            port: api.context.peer.carrierPort + 7,
          })
          .expect(201)
      ).body.data;
      const prefix = `06${String(Math.floor(Math.random() * 90) + 10)}`;
      await api
        .post('/api/pbx/routes', { name: `out-${prefix}`, pattern: prefix, trunk_ids: [dead.id, trunk.id] })
        .expect(201);
      const customer = `${prefix}${uniqueNumber()}`.slice(0, 10);
      peer.setBehavior(customer, { kind: 'answer', afterMs: 200 });
      const placed = await peer.dial(caller, customer);
      const atCarrier = await peer.waitForCall((c) => c.exten === customer, 20_000);
      expect(sipUser(atCarrier.from)).toBe('02838001234');
      await waitUntil(async () => (await callOf('to_number', customer))?.status === 'answered', 10_000, 'answered');
      await peer.hangup(placed);
      const call = await endedCall('to_number', customer);
      expect(call).toMatchObject({ direction: 'outbound', from_number: caller, extension: caller });
      const events = await eventsOf(call.call_uuid);
      expect(events.map((e) => e.type)).toContain('pbx.call.answered');
      expect(events.find((e) => e.type === 'pbx.call.ringing')?.payload.party).toBe('external');
    }, 45_000);

    it.each([
      ['a phone without outbound', { outbound: 'denied' }, '0612345678', 21],
      ['an international number the policy denies', { outbound: 'allowed' }, '+4420123456', 21],
    ])('%s: the carrier sees no INVITE and the phone is refused', async (_name, fields, dialled, cause) => {
      const caller = await phone(fields);
      // a route for exactly this number (a catch-all would change other files' "no route" cases)
      const route = (
        await api
          .post('/api/pbx/routes', {
            name: `to-${uniqueNumber()}`,
            pattern: dialled.replace('+', ''),
            trunk_ids: [trunk.id],
          })
          .expect(201)
      ).body.data;
      const before = peer.calls.length;
      const placed = await peer.dial(caller, dialled);
      const outcome = await peer.outcome(placed);
      expect(outcome).toMatchObject({ answered: false, cause });
      expect(peer.calls.slice(before).some((c) => c.exten.includes(dialled.replace('+', '')))).toBe(false);
      await api.del(`/api/pbx/routes/${route.id}`).expect(204);
    });

    it("a disabled extension's number: 404, never a trunk", async () => {
      const caller = await phone({ outbound: 'allowed' });
      const disabled = await phone({ status: 'disabled' }, false);
      const placed = await peer.dial(caller, disabled);
      expect(await peer.outcome(placed)).toMatchObject({ answered: false, cause: 1 });
      expect(peer.calls.some((c) => c.exten === disabled)).toBe(false);
    });

    it('another extension: an internal call, answered', async () => {
      const [caller, callee] = [await phone(), await phone()];
      peer.setBehavior(`phone-${callee}`, { kind: 'answer', afterMs: 200 });
      const placed = await peer.dial(caller, callee);
      await waitUntil(async () => (await callOf('to_number', callee))?.status === 'answered', 10_000, 'answered');
      await peer.hangup(placed);
      const call = await endedCall('to_number', callee);
      expect(call).toMatchObject({ direction: 'internal', from_number: caller, extension: caller });
      expect((await eventsOf(call.call_uuid)).map((e) => e.type)).toEqual([
        'pbx.call.started',
        'pbx.call.ringing',
        'pbx.call.answered',
        'pbx.call.leg_ended',
        'pbx.call.leg_ended',
        'pbx.call.hangup',
        'pbx.cdr.created',
      ]);
    });
  });
});
