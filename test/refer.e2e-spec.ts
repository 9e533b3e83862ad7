import { INestApplicationContext } from '@nestjs/common';
import { Asterisk, TransferRequested } from '@pbx/asterisk';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

/**
 * A desk phone's transfer (SIP REFER) on the real Asterisk 22: every channel of a call hands it
 * to the control plane (PJSIP_TRANSFER_HANDLING ari-only) as a ChannelTransfer event, which the
 * Asterisk facade reports as `transfer_requested`; Asterisk itself dials nobody, and the phone
 * hears only what the worker tells it (Asterisk.transferProgress): the worker carries the
 * transfer out on the API's path, with the same rules (control/refer-handler.ts).
 */
/** the third phone's tone: what the caller hears once the transfer has connected them */
const THIRD_TONE = 700;

describe('a desk phone asks for a transfer (SIP REFER, ari-only)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let asterisk: Asterisk;
  let peer: SipPeer;
  let db: Client;
  const workerLog = new WorkerLog();
  const requests: TransferRequested[] = [];

  beforeAll(async () => {
    api = await startTestApi({ RING_TIMEOUT: '5' });
    worker = await startTestWorker({ RING_TIMEOUT: '5' }, workerLog);
    asterisk = worker.get(Asterisk);
    asterisk.onChannelEvent((event) => {
      if (event.type === 'transfer_requested') requests.push(event);
    });
    peer = await SipPeer.connect(api.context);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await peer?.close();
    // let the worker write the calls' ends before its database goes
    await waitUntil(
      async () => (await db.query(`SELECT 1 FROM calls WHERE status <> 'ended'`)).rowCount === 0,
      10_000,
      'every call ended',
    ).catch(() => undefined);
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  async function phone(): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    await api.post('/api/pbx/extensions', { number, password }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    return number;
  }

  interface LegRow {
    leg: string;
    channel_id: string;
    extension: string | null;
    state: string;
  }
  const legsOf = async (callUuid: string): Promise<LegRow[]> =>
    (await db.query('SELECT leg, channel_id, extension, state FROM call_legs WHERE call_uuid = $1', [callUuid])).rows;

  /** three extensions' phones, registered once: a caller, a callee who answers, and a third who would answer at once */
  let phones: Promise<{ caller: string; callee: string; third: string }> | undefined;
  async function threePhones() {
    phones ??= Promise.all([phone(), phone(), phone()]).then(([caller, callee, third]) => {
      peer.setBehavior(`phone-${callee}`, { kind: 'answer', afterMs: 200 });
      peer.setBehavior(`phone-${third}`, { kind: 'answer', tone: THIRD_TONE });
      return { caller, callee, third };
    });
    return phones;
  }

  const earlierCalls: string[] = [];

  /** caller dials callee, who answers */
  async function answeredCall() {
    const { caller, callee, third } = await threePhones();
    const seen = new Set(peer.calls.map((c) => c.channelId));
    const placed = await peer.dial(caller, callee);
    const atCallee = await peer.waitForCall((c) => c.exten === `phone-${callee}` && !seen.has(c.channelId));
    let callUuid = '';
    await waitUntil(
      async () => {
        const row = (
          await db.query(
            `SELECT call_uuid, status FROM calls WHERE to_number = $1 AND NOT (call_uuid = ANY($2::uuid[]))`,
            [callee, earlierCalls],
          )
        ).rows[0];
        callUuid = row?.call_uuid ?? '';
        return row?.status === 'answered';
      },
      10_000,
      'the call answered',
    );
    earlierCalls.push(callUuid);
    const legs = await legsOf(callUuid);
    const callerLeg = legs.find((l) => l.extension === caller)!;
    const calleeLeg = legs.find((l) => l.extension === callee)!;
    return { caller, callee, third, placed, atCallee, callUuid, legs, callerLeg, calleeLeg };
  }

  async function requestOn(channelId: string): Promise<TransferRequested> {
    await waitUntil(() => requests.some((r) => r.channelId === channelId), 5_000, `transfer_requested on ${channelId}`);
    return requests.find((r) => r.channelId === channelId)!;
  }

  /** the calls that reached `number`'s phone since the mark (peer.calls.length then) */
  const rangAt = (number: string, mark: number) => peer.calls.slice(mark).filter((c) => c.exten === `phone-${number}`);

  it("the callee's phone transfers the caller to a third extension: 100 then 200 to the phone, the third rings and talks with the caller, one call, one CDR", async () => {
    const since = Date.now();
    const { callee, third, placed, atCallee, callUuid, callerLeg, calleeLeg } = await answeredCall();
    const mark = peer.calls.length;
    await peer.refer(atCallee.channelId, third);
    const request = await requestOn(calleeLeg.channel_id);
    expect(request).toMatchObject({
      channelId: calleeLeg.channel_id,
      target: third,
      requested: third,
      replacesCallId: null,
      keptChannelId: callerLeg.channel_id,
      bridgeId: callUuid,
    });
    expect(await peer.referResult(atCallee.channelId)).toEqual({
      status: 'SUCCESS',
      sipCode: 0,
      notifies: ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'],
    });
    // the worker dialled the third phone (it answers at once) and put it in the call's bridge
    await waitUntil(() => rangAt(third, mark).length === 1, 5_000, 'the third phone rings');
    await waitUntil(
      async () => (await legsOf(callUuid)).some((l) => l.extension === third && l.state === 'answered'),
      10_000,
      'the third phone answered',
    );
    await sleep(300); // the tone starts with the answer
    const heard = await peer.listen(placed, 1_500);
    expect({ share: heard.share(THIRD_TONE) > 0.8, rms: heard.rms }).toMatchObject({ share: true });
    // the transferring phone's leg is released: a phone that stays is hung up within 2 s
    await waitUntil(
      async () => (await legsOf(callUuid)).find((l) => l.channel_id === calleeLeg.channel_id)?.state === 'ended',
      5_000,
      'the transferring leg ended',
    );
    const legs = await legsOf(callUuid);
    expect(legs.find((l) => l.extension === third)?.leg).toBe('b');
    const call = (
      await db.query('SELECT status, transferred_by, transferred_to FROM calls WHERE call_uuid = $1', [callUuid])
    ).rows[0];
    expect(call).toEqual({ status: 'answered', transferred_by: callee, transferred_to: third });
    await peer.hangup(placed);
    await waitUntil(
      async () => (await db.query('SELECT 1 FROM cdrs WHERE call_uuid = $1', [callUuid])).rowCount === 1,
      10_000,
      'one CDR',
    );
    const types = (
      await db.query('SELECT type FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [callUuid])
    ).rows.map((r: { type: string }) => r.type);
    expect(types.filter((t: string) => t === 'pbx.call.transferred')).toHaveLength(1);
    expect(types.filter((t: string) => t === 'pbx.call.hangup')).toHaveLength(1);
    expect(workerLog.errorsSince(since)).toEqual([]);
  });

  it("the caller's phone asks for an international number the policy denies: 603, no carrier is called, the call goes on", async () => {
    const since = Date.now();
    const { third, placed, callUuid, callerLeg, calleeLeg } = await answeredCall();
    const mark = peer.calls.length;
    await peer.refer(placed, '+88216123456');
    const request = await requestOn(callerLeg.channel_id);
    expect(request).toMatchObject({ target: '+88216123456', keptChannelId: calleeLeg.channel_id, bridgeId: callUuid });
    expect(await peer.referResult(placed)).toEqual({
      status: 'FAILURE',
      sipCode: 603,
      notifies: ['SIP/2.0 100 Trying', 'SIP/2.0 603 Decline'],
    });
    await sleep(500);
    expect(peer.calls.slice(mark)).toEqual([]); // no carrier, no phone
    expect(rangAt(third, mark)).toEqual([]);
    const call = (await db.query('SELECT status, transferred_to FROM calls WHERE call_uuid = $1', [callUuid])).rows[0];
    expect(call).toEqual({ status: 'answered', transferred_to: null });
    await peer.hangup(placed);
    expect(workerLog.errorsSince(since)).toEqual([]);
  });

  it('a Refer-To that is not a number is declined (603) and never dialled; the raw text stays apart', async () => {
    const { placed, atCallee, calleeLeg, callUuid } = await answeredCall();
    const mark = peer.calls.length;
    await peer.refer(atCallee.channelId, '2001;x=1');
    const request = await requestOn(calleeLeg.channel_id);
    expect(request).toMatchObject({ target: null, requested: '2001;x=1' });
    expect(await peer.referResult(atCallee.channelId)).toEqual({
      status: 'FAILURE',
      sipCode: 603,
      notifies: ['SIP/2.0 100 Trying', 'SIP/2.0 603 Decline'],
    });
    expect(peer.calls.slice(mark)).toEqual([]);
    expect((await db.query('SELECT status FROM calls WHERE call_uuid = $1', [callUuid])).rows[0].status).toBe(
      'answered',
    );
    await peer.hangup(placed);
  });

  // core moves the caller out of the call's bridge into pbx-internal, where it starts a new
  // call of its own to the target (the worker logs errors about the old one): what ari-only avoids
  it('control: with core transfer handling, Asterisk carries out the REFER itself and the third phone rings', async () => {
    const { third, atCallee, calleeLeg } = await answeredCall();
    await asterisk.setVariable(calleeLeg.channel_id, 'PJSIP_TRANSFER_HANDLING()', 'core');
    await peer.refer(atCallee.channelId, third);
    await peer.waitForCall((c) => c.exten === `phone-${third}`, 5_000);
    expect(requests.some((r) => r.channelId === calleeLeg.channel_id)).toBe(false);
    await peer.hangupAll();
  });
});
