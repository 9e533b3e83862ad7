import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { sleep, waitUntil } from '../harness/sip-peer';

// the backoff is scaled down so a long outage fits in the test: 200 ms doubling, capped at 2 s
const SCALED_BACKOFF = {
  WEBHOOK_BACKOFF_BASE_MS: '200',
  WEBHOOK_BACKOFF_CAP_MS: '2000',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_RETRY_WINDOW_MS: '120000',
};

/** The CRM receiver down through several calls, then back: every event delivered, in order per call. */
describe('fault: CRM receiver outage', () => {
  const fx = new FaultFixture(SCALED_BACKOFF);

  beforeAll(() => fx.start());
  afterAll(() => fx.stop());

  it('delivers every event of every call once it is back, in order per call', async () => {
    await fx.subscribe('/crm');
    let up = false;
    fx.receiver.respond('/crm', () => (up ? { status: 200 } : { status: 503 }));
    const agent = await fx.agent();
    fx.peer.setBehavior(`phone-${agent}`, { kind: 'answer' });
    const calls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const customer = customerNumber();
      fx.peer.setBehavior(customer, { kind: 'answer' });
      const uuid = (await fx.clickToCall(agent, customer)).body.data.call_uuid;
      await fx.waitStatus(uuid, 'answered');
      await fx.peer.hangup((await fx.peer.waitForCall((c) => c.exten === customer)).channelId);
      await fx.waitStatus(uuid, 'ended');
      calls.push(uuid);
    }
    await sleep(6_000); // several failed attempts per head-of-line event
    expect(fx.receiver.on('/crm').filter((r) => r.answered === 503).length).toBeGreaterThanOrEqual(6);
    expect(fx.receiver.on('/crm').filter((r) => r.answered === 200)).toHaveLength(0);
    up = true;

    for (const uuid of calls) {
      await waitUntil(() => fx.delivered('/crm', uuid).length >= 5, 20_000, `events of ${uuid}`);
      const events = fx.delivered('/crm', uuid);
      expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(events.map((e) => e.id)).size).toBe(5);
    }
  });
});
