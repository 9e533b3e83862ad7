import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { sleep, waitUntil } from '../harness/sip-peer';

const FAST_RETRIES = {
  WEBHOOK_BACKOFF_BASE_MS: '200',
  WEBHOOK_BACKOFF_CAP_MS: '1000',
  WEBHOOK_POLL_INTERVAL_MS: '100',
};

/**
 * The worker killed (SIGKILL) mid-call and restarted: a call still live in Asterisk is
 * re-adopted and carries on, a call that ended meanwhile is closed with its real end time, no
 * call stays queued or ringing, and no event is lost or sent twice under another id.
 */
describe('fault: worker killed mid-call', () => {
  const fx = new FaultFixture(FAST_RETRIES);

  beforeAll(() => fx.start());
  afterAll(() => fx.stop());

  it('re-adopts live calls, closes ended ones with their real end times, loses no event', async () => {
    await fx.subscribe('/crm');
    const talking = await fx.agent();
    const ringing = await fx.agent();
    const customerA = customerNumber();
    const customerB = customerNumber();
    fx.peer.setBehavior(`phone-${talking}`, { kind: 'answer' });
    fx.peer.setBehavior(customerA, { kind: 'answer' });
    fx.peer.setBehavior(`phone-${ringing}`, { kind: 'ring' });
    fx.peer.setBehavior(customerB, { kind: 'answer' });
    const bridged = (await fx.clickToCall(talking, customerA)).body.data.call_uuid;
    const ringingCall = (await fx.clickToCall(ringing, customerB)).body.data.call_uuid;
    await fx.waitStatus(bridged, 'answered');
    await fx.waitStatus(ringingCall, 'ringing');

    await fx.worker.kill();
    // while it is away: the first customer hangs up, the second agent picks up
    const atCarrier = await fx.peer.waitForCall((c) => c.exten === customerA);
    const hungUpAt = Date.now();
    await fx.peer.hangup(atCarrier.channelId);
    const ringingPhone = await fx.peer.waitForCall((c) => c.exten === `phone-${ringing}` && !c.ended);
    await fx.peer.answer(ringingPhone.channelId);
    await sleep(2_000);

    fx.worker = fx.newWorker();
    await fx.worker.start();

    // the bridged call ended while the worker was away: closed with the customer's real hangup time
    await fx.waitStatus(bridged, 'ended');
    const ended = await fx.call(bridged);
    expect(ended).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'b' });
    const bLeg = ended.legs.find((l: { leg: string }) => l.leg === 'b');
    expect(Math.abs(Date.parse(bLeg.ended_at) - hungUpAt)).toBeLessThan(1_000);
    expect(bLeg.hangup_cause).toBe(16);

    // the ringing call was answered meanwhile: re-adopted, the customer is dialed and bridged
    await fx.waitStatus(ringingCall, 'answered');
    const atCarrierB = await fx.peer.waitForCall((c) => c.exten === customerB);
    await fx.peer.hangup(atCarrierB.channelId);
    await fx.waitStatus(ringingCall, 'ended');

    const stuck = await fx.db.query(
      "SELECT count(*)::int AS n FROM calls WHERE status IN ('queued', 'ringing') AND call_uuid = ANY($1)",
      [[bridged, ringingCall]],
    );
    expect(stuck.rows[0].n).toBe(0);
    for (const uuid of [bridged, ringingCall]) {
      await waitUntil(() => fx.delivered('/crm', uuid).length >= 5, 15_000, `events of ${uuid}`);
      const events = fx.delivered('/crm', uuid);
      expect(events.map((e) => e.type)).toEqual([
        'pbx.call.ringing',
        'pbx.call.answered',
        'pbx.call.answered',
        'pbx.call.hangup',
        'pbx.cdr.created',
      ]);
      expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(events.map((e) => e.id)).size).toBe(5);
    }
  });
});
