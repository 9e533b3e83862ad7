import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { AudioAnalysis } from './harness/audio-analysis';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

interface LegView {
  leg: string;
  leg_uuid: string;
  extension: string | null;
  state: string;
  on_hold: boolean;
  released: boolean;
}
interface CallView {
  call_uuid: string;
  status: string;
  disposition: string | null;
  hangup_by: string | null;
  hangup_cause: number | null;
  transferred_by: string | null;
  transferred_to: string | null;
  legs: LegView[];
}
interface EventRow {
  type: string;
  leg: string | null;
  leg_uuid: string | null;
  payload: { transfer?: { from_extension: string | null; to: string }; missed?: { reason: string } };
}

/** Each party sends its own tone, so who hears whom is measured, not assumed. */
const CUSTOMER_TONE = 1000;
const AGENT_TONE = 440;
const TARGET_TONE = 700;
const LISTEN_MS = 1_500;

const describeAudio = (audio: AudioAnalysis) =>
  `rms ${audio.rms.toFixed(4)}, dominant ${audio.dominant ?? '-'} Hz, ` +
  [CUSTOMER_TONE, AGENT_TONE, TARGET_TONE].map((hz) => `${hz} Hz ${audio.share(hz).toFixed(3)}`).join(', ');

/** `who` hears `hz` clearly: most of what it hears is that tone. */
function expectHears(audio: AudioAnalysis, hz: number, who: string): void {
  expect({ who, heard: audio.share(hz) > 0.8, audio: describeAudio(audio) }).toMatchObject({ who, heard: true });
}

/** `who` hears sound (music on hold), and none of it is one of `tones`. */
function expectMusicWithout(audio: AudioAnalysis, tones: number[], who: string): void {
  const without = tones.every((hz) => audio.share(hz) < 0.05);
  expect({ who, sound: audio.rms > 0.02, without, audio: describeAudio(audio) }).toMatchObject({
    who,
    sound: true,
    without: true,
  });
}

/**
 * Live calls under the CRM's control (SPEC section 3): hangup, blind transfer and hold through
 * the command path (the API writes a command, the worker runs it in the call's queue), on the
 * real Asterisk with the SIP test peer as carrier (127.0.0.3) and desk phones.
 */
describe('live control (real Asterisk, carrier and desk phones)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let trunk: { id: number; name: string };
  const workerLog = new WorkerLog();
  const workerEnv = { RING_TIMEOUT: '5', CUSTOMER_RING_TIMEOUT: '6', TRUNK_RESPONSE_TIMEOUT: '2' };

  beforeAll(async () => {
    api = await startTestApi({ RING_TIMEOUT: '5' });
    worker = await startTestWorker(workerEnv, workerLog);
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

  async function phone(fields: Record<string, unknown> = {}): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    await api.post('/api/pbx/extensions', { number, password, ...fields }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    return number;
  }
  async function route(extension: string): Promise<string> {
    const did = `8428${uniqueNumber()}`;
    await api
      .post('/api/pbx/inbound-routes', { did, destination: { type: 'extension', number: extension } })
      .expect(201);
    return did;
  }
  const getCall = async (uuid: string): Promise<CallView> =>
    (await api.get(`/api/pbx/calls/${uuid}`).expect(200)).body.data;
  const callByDid = async (did: string): Promise<string | undefined> =>
    (await db.query('SELECT call_uuid FROM calls WHERE did = $1 ORDER BY created_at DESC LIMIT 1', [did])).rows[0]
      ?.call_uuid;
  async function waitStatus(uuid: string, status: string, timeoutMs = 15_000): Promise<CallView> {
    await waitUntil(async () => (await getCall(uuid)).status === status, timeoutMs, `call ${status}`);
    return getCall(uuid);
  }
  const eventsOf = async (uuid: string): Promise<EventRow[]> =>
    (
      await db.query('SELECT type, leg, leg_uuid, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [
        uuid,
      ])
    ).rows;
  const cdrsOf = async (uuid: string) => (await db.query('SELECT * FROM cdrs WHERE call_uuid = $1', [uuid])).rows;
  const commandsOf = async (uuid: string) =>
    (await db.query('SELECT kind, status FROM call_commands WHERE call_uuid = $1 ORDER BY id', [uuid])).rows;
  const control = (uuid: string, action: string, body: unknown = {}) =>
    api.post(`/api/pbx/calls/${uuid}/${action}`, body);

  /** A carrier's call to a DID routed to a new phone, answered there: the call, the carrier's channel, the phone's call. */
  async function answeredInbound(from = `09${uniqueNumber()}`) {
    const ext = await phone();
    const did = await route(ext);
    peer.setBehavior(`phone-${ext}`, { kind: 'answer', afterMs: 200, tone: AGENT_TONE });
    const carrier = await peer.carrierCall({ did, fromUser: from, tone: CUSTOMER_TONE });
    const atPhone = await peer.waitForCall((c) => c.exten === `phone-${ext}`);
    await waitUntil(async () => (await callByDid(did)) !== undefined, 5_000, 'call stored');
    const uuid = (await callByDid(did))!;
    await waitStatus(uuid, 'answered');
    return { ext, did, carrier, atPhone, uuid };
  }

  /** A click-to-call from a new agent to a customer, both answered. */
  async function answeredClickToCall() {
    const agent = await phone();
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${agent}`, { kind: 'answer', afterMs: 200 });
    peer.setBehavior(customer, { kind: 'answer', afterMs: 200 });
    const token = await api.newToken();
    const accepted = await api
      .post('/api/pbx/calls/click-to-call', { from_extension: agent, to_phone: customer, trunk_id: trunk.id }, token)
      .expect(202);
    const uuid: string = accepted.body.data.call_uuid;
    await waitStatus(uuid, 'answered', 20_000);
    const atAgent = await peer.waitForCall((c) => c.exten === `phone-${agent}`);
    const atCustomer = await peer.waitForCall((c) => c.exten === customer);
    return { agent, customer, uuid, atAgent, atCustomer };
  }
  const endedAtPeer = (channelId: string) =>
    waitUntil(() => peer.calls.find((c) => c.channelId === channelId)?.ended === true, 10_000, 'peer call ended');

  describe('hangup', () => {
    it('an inbound call still ringing: the carrier hears no answer (19, 480), the phone is cancelled, missed no_answer', async () => {
      const ext = await phone();
      const did = await route(ext);
      peer.setBehavior(`phone-${ext}`, { kind: 'ring' });
      const carrier = await peer.carrierCall({ did, fromUser: `09${uniqueNumber()}` });
      const atPhone = await peer.waitForCall((c) => c.exten === `phone-${ext}`);
      await waitUntil(async () => (await callByDid(did)) !== undefined, 5_000, 'call stored');
      const uuid = (await callByDid(did))!;
      await waitStatus(uuid, 'ringing');

      const answer = await control(uuid, 'hangup').expect(202);
      expect(answer.body.data.call_uuid).toBe(uuid);
      const outcome = await peer.outcome(carrier);
      expect(outcome).toMatchObject({ answered: false, cause: 19 });
      if (outcome.sipCode !== null) expect(outcome.sipCode).toBe(480);
      await endedAtPeer(atPhone.channelId);
      const call = await waitStatus(uuid, 'ended');
      expect(call).toMatchObject({ hangup_by: 'api', hangup_cause: 19, disposition: 'NO ANSWER' });
      const events = await eventsOf(uuid);
      expect(events.find((e) => e.type === 'pbx.call.missed')?.payload.missed).toEqual({ reason: 'no_answer' });
      expect(events.filter((e) => e.type === 'pbx.call.hangup')).toHaveLength(1);
      expect(await cdrsOf(uuid)).toHaveLength(1);
      expect(await commandsOf(uuid)).toEqual([{ kind: 'hangup', status: 'done' }]);
    });

    it('an answered inbound call: both ends get a BYE, one hangup by api, one CDR; again → 409 call_ended', async () => {
      const { uuid, carrier, atPhone } = await answeredInbound();
      await control(uuid, 'hangup').expect(202);
      const outcome = await peer.outcome(carrier);
      expect(outcome.answered).toBe(true);
      await endedAtPeer(atPhone.channelId);
      const call = await waitStatus(uuid, 'ended');
      expect(call).toMatchObject({ hangup_by: 'api', hangup_cause: 16, disposition: 'ANSWERED' });
      expect(await cdrsOf(uuid)).toHaveLength(1);
      const again = await control(uuid, 'hangup').expect(409);
      expect(again.body.error.code).toBe('call_ended');
      expect((await eventsOf(uuid)).filter((e) => e.type === 'pbx.call.hangup')).toHaveLength(1);
    });

    it('a click-to-call whose agent is still ringing is cancelled; nothing reaches the carrier', async () => {
      const agent = await phone();
      const customer = `09${uniqueNumber()}`;
      peer.setBehavior(`phone-${agent}`, { kind: 'ring' });
      const token = await api.newToken();
      const accepted = await api
        .post('/api/pbx/calls/click-to-call', { from_extension: agent, to_phone: customer, trunk_id: trunk.id }, token)
        .expect(202);
      const uuid: string = accepted.body.data.call_uuid;
      // at once, while the A-leg may still be being created
      await control(uuid, 'hangup').expect(202);
      const call = await waitStatus(uuid, 'ended');
      expect(call.hangup_by).toBe('api');
      const atAgent = peer.calls.find((c) => c.exten === `phone-${agent}`);
      if (atAgent) await endedAtPeer(atAgent.channelId);
      expect(peer.calls.some((c) => c.exten === customer)).toBe(false);
      expect(await cdrsOf(uuid)).toHaveLength(1);
    });

    it('an answered click-to-call: agent and customer get a BYE', async () => {
      const { uuid, atAgent, atCustomer } = await answeredClickToCall();
      await control(uuid, 'hangup').expect(202);
      await endedAtPeer(atAgent.channelId);
      await endedAtPeer(atCustomer.channelId);
      expect(await waitStatus(uuid, 'ended')).toMatchObject({ hangup_by: 'api', disposition: 'ANSWERED' });
    });

    it.each([
      ['ringing', 19, 'NO ANSWER', { kind: 'ring' as const }],
      ['answered', 16, 'ANSWERED', { kind: 'answer' as const, afterMs: 200 }],
    ])(
      'a desk phone calling out, %s at the carrier: both ends are let go, the phone hears cause %i',
      async (state, cause, disposition, behavior) => {
        const caller = await phone({ outbound: 'allowed' });
        const prefix = `0388${uniqueNumber().slice(-3)}`;
        await api
          .post('/api/pbx/routes', { name: `out-${prefix}`, pattern: prefix, trunk_ids: [trunk.id] })
          .expect(201);
        const customer = `${prefix}456`;
        peer.setBehavior(customer, behavior);
        const placed = await peer.dial(caller, customer);
        const atCarrier = await peer.waitForCall((c) => c.exten === customer);
        const uuid = (
          await db.query(`SELECT call_uuid FROM calls WHERE to_number = $1 AND direction = 'outbound'`, [customer])
        ).rows[0].call_uuid as string;
        await waitStatus(uuid, state);
        await control(uuid, 'hangup').expect(202);
        expect(await peer.outcome(placed)).toMatchObject({ cause });
        await endedAtPeer(atCarrier.channelId);
        expect(await waitStatus(uuid, 'ended')).toMatchObject({ hangup_by: 'api', hangup_cause: cause, disposition });
        expect(await cdrsOf(uuid)).toHaveLength(1);
      },
    );

    it('an internal call, ringing then another answered: both phones are let go', async () => {
      for (const answered of [false, true]) {
        const [caller, callee] = [await phone(), await phone()];
        peer.setBehavior(`phone-${callee}`, answered ? { kind: 'answer', afterMs: 200 } : { kind: 'ring' });
        const placed = await peer.dial(caller, callee);
        const atCallee = await peer.waitForCall((c) => c.exten === `phone-${callee}`);
        const uuid = (
          await db.query(`SELECT call_uuid FROM calls WHERE to_number = $1 AND direction = 'internal'`, [callee])
        ).rows[0].call_uuid as string;
        await waitStatus(uuid, answered ? 'answered' : 'ringing');
        await control(uuid, 'hangup').expect(202);
        expect((await peer.outcome(placed)).cause).toBe(answered ? 16 : 19);
        await endedAtPeer(atCallee.channelId);
        expect(await waitStatus(uuid, 'ended')).toMatchObject({ hangup_by: 'api' });
      }
    });

    it('unknown call → 404, nothing written', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await control(unknown, 'hangup').expect(404)).body.error.code).toBe('not_found');
      expect((await control('not-a-uuid', 'hangup').expect(404)).body.error.code).toBe('not_found');
      expect(
        (await db.query('SELECT count(*)::int AS n FROM call_commands WHERE call_uuid = $1', [unknown])).rows[0].n,
      ).toBe(0);
    });
  });

  describe('blind transfer', () => {
    it('an inbound call from its extension to another: the carrier now talks to the new phone, one bridge, events in order, one CDR', async () => {
      const { uuid, ext, carrier, atPhone } = await answeredInbound();
      const target = await phone();
      peer.setBehavior(`phone-${target}`, { kind: 'answer', afterMs: 500, tone: TARGET_TONE });
      await sleep(300); // the tones start with the answer
      expectHears(await peer.listen(carrier, LISTEN_MS), AGENT_TONE, 'the customer before the transfer');

      const answer = await control(uuid, 'transfer', { to: target, type: 'blind' }).expect(202);
      expect(answer.body.data.transferred_to).toBe(target);
      await endedAtPeer(atPhone.channelId); // the transferring phone got its BYE
      const atTarget = await peer.waitForCall((c) => c.exten === `phone-${target}`);
      await waitUntil(
        async () => (await getCall(uuid)).legs.some((l) => l.extension === target && l.state === 'answered'),
        10_000,
        'target answered',
      );
      const live = await getCall(uuid);
      expect(live.status).toBe('answered');
      const released = live.legs.find((l) => l.extension === ext)!;
      const fresh = live.legs.find((l) => l.extension === target)!;
      expect(released).toMatchObject({ leg: 'b', released: true, state: 'ended' });
      expect(fresh).toMatchObject({ leg: 'b', released: false });
      expect(fresh.leg_uuid).not.toBe(released.leg_uuid);
      // the carrier is still up, now talking with the target: each hears the other's tone
      expect(peer.calls.find((c) => c.channelId === atTarget.channelId)?.ended).toBe(false);
      await sleep(300);
      const [customerHears, targetHears] = await Promise.all([
        peer.listen(carrier, LISTEN_MS),
        peer.listen(atTarget.channelId, LISTEN_MS),
      ]);
      expectHears(customerHears, TARGET_TONE, 'the customer after the transfer');
      expectHears(targetHears, CUSTOMER_TONE, 'the target after the transfer');

      await peer.hangup(carrier);
      const call = await waitStatus(uuid, 'ended');
      expect(call).toMatchObject({ transferred_by: ext, transferred_to: target, disposition: 'ANSWERED' });
      await endedAtPeer(atTarget.channelId);
      const events = await eventsOf(uuid);
      expect(events.map((e) => `${e.type}:${e.leg}`)).toEqual([
        'pbx.call.started:a',
        'pbx.call.ringing:b',
        'pbx.call.answered:b',
        'pbx.call.transferred:b',
        'pbx.call.leg_ended:b',
        'pbx.call.ringing:b',
        'pbx.call.answered:b',
        'pbx.call.leg_ended:a',
        'pbx.call.leg_ended:b',
        'pbx.call.hangup:a',
        'pbx.cdr.created:a',
      ]);
      const transferred = events.find((e) => e.type === 'pbx.call.transferred')!;
      expect(transferred.payload.transfer).toEqual({ from_extension: ext, to: target });
      expect(events.filter((e) => e.leg_uuid === fresh.leg_uuid).map((e) => e.type)).toEqual([
        'pbx.call.ringing',
        'pbx.call.answered',
        'pbx.call.leg_ended',
      ]);
      const cdrs = await cdrsOf(uuid);
      expect(cdrs).toHaveLength(1);
      expect(cdrs[0]).toMatchObject({ transferred_by: ext, transferred_to: target, disposition: 'ANSWERED' });
    });

    it('a click-to-call: the agent hands the customer to another extension', async () => {
      const { uuid, agent, atAgent, atCustomer } = await answeredClickToCall();
      const target = await phone();
      peer.setBehavior(`phone-${target}`, { kind: 'answer', afterMs: 300 });
      await control(uuid, 'transfer', { to: target }).expect(202);
      await endedAtPeer(atAgent.channelId);
      const atTarget = await peer.waitForCall((c) => c.exten === `phone-${target}`);
      await waitUntil(
        async () => (await getCall(uuid)).legs.some((l) => l.extension === target && l.state === 'answered'),
        10_000,
        'target answered',
      );
      const call = await getCall(uuid);
      expect(call.legs.find((l) => l.extension === target)?.leg).toBe('a');
      expect(call.legs.find((l) => l.extension === agent)?.released).toBe(true);
      await peer.hangup(atCustomer.channelId);
      await endedAtPeer(atTarget.channelId);
      expect(await waitStatus(uuid, 'ended')).toMatchObject({ transferred_by: agent, transferred_to: target });
    });

    it('the target does not answer: the call ends, the carrier hears cause 19', async () => {
      const { uuid, carrier } = await answeredInbound();
      const target = await phone();
      peer.setBehavior(`phone-${target}`, { kind: 'ring' });
      await control(uuid, 'transfer', { to: target }).expect(202);
      await peer.waitForCall((c) => c.exten === `phone-${target}`);
      const outcome = await peer.outcome(carrier, 20_000);
      expect(outcome.cause).toBe(19);
      const call = await waitStatus(uuid, 'ended');
      expect(call.transferred_to).toBe(target);
      expect(await cdrsOf(uuid)).toHaveLength(1);
    });

    it('to a number: dialled as the extension would (route, policy, its outbound caller id); international is denied and never dialled', async () => {
      const transferor = await phone({ outbound: 'allowed', outbound_caller_id: '02873009999' });
      const did = await route(transferor);
      peer.setBehavior(`phone-${transferor}`, { kind: 'answer', afterMs: 200 });
      const carrier = await peer.carrierCall({ did, fromUser: `09${uniqueNumber()}` });
      await waitUntil(async () => (await callByDid(did)) !== undefined, 5_000, 'call stored');
      const uuid = (await callByDid(did))!;
      await waitStatus(uuid, 'answered');

      const before = peer.calls.length;
      const denied = await control(uuid, 'transfer', { to: '+88216123456' }).expect(422);
      expect(denied.body.error).toMatchObject({ code: 'destination_denied', details: [{ field: 'to' }] });
      expect(denied.body.error.details[0].message).toContain('international');
      expect(peer.calls.length).toBe(before);

      const prefix = `0377${uniqueNumber().slice(-3)}`;
      await api.post('/api/pbx/routes', { name: `xfer-${prefix}`, pattern: prefix, trunk_ids: [trunk.id] }).expect(201);
      const number = `${prefix}123`;
      peer.setBehavior(number, { kind: 'answer', afterMs: 300 });
      await control(uuid, 'transfer', { to: number }).expect(202);
      const atCarrier = await peer.waitForCall((c) => c.exten === number);
      expect(atCarrier.callerNumber).toBe('02873009999');
      await waitUntil(
        async () =>
          (await getCall(uuid)).legs.some((l) => l.extension === null && l.leg === 'b' && l.state === 'answered'),
        10_000,
        'the number answered',
      );
      await peer.hangup(carrier);
      await endedAtPeer(atCarrier.channelId);
      expect(await waitStatus(uuid, 'ended')).toMatchObject({ transferred_by: transferor, transferred_to: number });
    });

    it('refused: not answered (409), a number the policy denies (422, no carrier call), bad input (422, nothing written)', async () => {
      const ext = await phone();
      const did = await route(ext);
      peer.setBehavior(`phone-${ext}`, { kind: 'ring' });
      const carrier = await peer.carrierCall({ did, fromUser: `09${uniqueNumber()}` });
      await waitUntil(async () => (await callByDid(did)) !== undefined, 5_000, 'call stored');
      const ringing = (await callByDid(did))!;
      await waitStatus(ringing, 'ringing');
      expect((await control(ringing, 'transfer', { to: '1234' }).expect(409)).body.error.code).toBe(
        'call_not_answered',
      );
      await peer.hangup(carrier);

      const { uuid, atPhone } = await answeredInbound();
      const before = peer.calls.length;
      // the extension may not call out: a number is denied, and nothing is dialled
      const denied = await control(uuid, 'transfer', { to: '+88216123456' }).expect(422);
      expect(denied.body.error).toMatchObject({ code: 'destination_denied', details: [{ field: 'to' }] });
      for (const body of [{}, { to: '12ab' }, { to: '1002', type: 'attended' }, { to: 1002 }]) {
        const refused = await control(uuid, 'transfer', body).expect(422);
        expect(refused.body.error.code).toBe('validation_failed');
      }
      expect(peer.calls.length).toBe(before);
      const call = await getCall(uuid);
      expect(call.status).toBe('answered');
      expect(call.transferred_to).toBeNull();
      expect(peer.calls.find((c) => c.channelId === atPhone.channelId)?.ended).toBe(false);
      // validation failures never reach the worker: only the one denied command was written
      expect(await commandsOf(uuid)).toEqual([{ kind: 'transfer', status: 'failed' }]);
      await control(uuid, 'hangup').expect(202);
      await waitStatus(uuid, 'ended');
    });
  });

  describe('hold', () => {
    it('the extension holds: the customer hears music (not silence, not the agent), then the agent again; legs[].on_hold; repeating changes nothing', async () => {
      const { uuid, carrier, atPhone } = await answeredInbound();
      await sleep(300);
      expectHears(await peer.listen(carrier, LISTEN_MS), AGENT_TONE, 'the customer before hold');
      const held = await control(uuid, 'hold', { leg: 'b' }).expect(202);
      expect(held.body.data.legs.find((l: LegView) => l.leg === 'b' && !l.released).on_hold).toBe(true);
      await control(uuid, 'hold', { leg: 'b' }).expect(202);
      const [customerOnHold, agentHolding] = await Promise.all([
        peer.listen(carrier, LISTEN_MS),
        peer.listen(atPhone.channelId, LISTEN_MS),
      ]);
      expectMusicWithout(customerOnHold, [AGENT_TONE, CUSTOMER_TONE], 'the customer on hold');
      expectHears(agentHolding, CUSTOMER_TONE, 'the agent holding');
      expect((await control(uuid, 'hold', { leg: 'c' }).expect(422)).body.error.code).toBe('validation_failed');
      // the refused body never became a command: two holds only
      expect(await commandsOf(uuid)).toEqual([
        { kind: 'hold', status: 'done' },
        { kind: 'hold', status: 'done' },
      ]);
      const resumed = await control(uuid, 'unhold', { leg: 'b' }).expect(202);
      expect(resumed.body.data.legs.every((l: LegView) => !l.on_hold)).toBe(true);
      await sleep(300);
      expectHears(await peer.listen(carrier, LISTEN_MS), AGENT_TONE, 'the customer after unhold');
      await control(uuid, 'hangup').expect(202);
      await waitStatus(uuid, 'ended');
      expect((await control(uuid, 'hold', { leg: 'a' }).expect(409)).body.error.code).toBe('call_ended');
    });
  });

  describe('the command path', () => {
    it('with the worker away the API answers 503 within about 5 s and the command never runs later', async () => {
      const { uuid, atPhone } = await answeredInbound();
      await worker.close();
      try {
        const startedAt = Date.now();
        const answer = await control(uuid, 'hangup').expect(503);
        expect(answer.body.error.code).toBe('service_unavailable');
        expect(Date.now() - startedAt).toBeLessThan(7_000);
        expect(await commandsOf(uuid)).toEqual([{ kind: 'hangup', status: 'expired' }]);
      } finally {
        worker = await startTestWorker(workerEnv, workerLog);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(peer.calls.find((c) => c.channelId === atPhone.channelId)?.ended).toBe(false);
      await control(uuid, 'hangup').expect(202);
      await waitStatus(uuid, 'ended');
    });
  });
});
