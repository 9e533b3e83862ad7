import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { pbxInstanceOf } from '../harness/global-setup';
import { waitUntil } from '../harness/sip-peer';

/**
 * Asterisk killed (SIGKILL) with calls ringing and bridged: every affected call ends with one
 * hangup and one cdr.created, health and click-to-call answer 503 while it is down, and once
 * it is back the links reconnect and a new call works within 5 s.
 */
describe('fault: Asterisk killed', () => {
  const fx = new FaultFixture();

  beforeAll(() => fx.start());
  afterAll(() => fx.stop());

  it('ends the affected calls, answers 503 meanwhile, and takes a new call within 5 s of its return', async () => {
    const talking = await fx.agent();
    const ringing = await fx.agent();
    const customer = customerNumber();
    fx.peer.setBehavior(`phone-${talking}`, { kind: 'answer' });
    fx.peer.setBehavior(customer, { kind: 'answer' });
    fx.peer.setBehavior(`phone-${ringing}`, { kind: 'ring' });
    const bridged = (await fx.clickToCall(talking, customer)).body.data.call_uuid;
    const ringingCall = (await fx.clickToCall(ringing, customerNumber())).body.data.call_uuid;
    await fx.waitStatus(bridged, 'answered');
    await fx.waitStatus(ringingCall, 'ringing');

    const asterisk = pbxInstanceOf(fx.context);
    asterisk.kill();
    await fx.peer.hangupAll(); // the phones notice nothing by themselves

    await waitUntil(
      async () => {
        const health = await fetch(`${fx.api.url}/health`);
        const body = (await health.json()) as { data: { down: string[] } };
        return health.status === 503 && body.data.down.includes('ami') && body.data.down.includes('ari');
      },
      10_000,
      'health 503 naming ami and ari',
    );
    const refused = await fx.clickToCall(talking, customerNumber());
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('service_unavailable');

    await asterisk.start();
    const back = Date.now();
    fx.peer.setBehavior(`phone-${talking}`, { kind: 'ring' });
    let accepted: string | undefined;
    await waitUntil(
      async () => {
        const response = await fx.clickToCall(talking, customerNumber());
        if (response.status === 202) accepted = response.body.data.call_uuid;
        return accepted !== undefined;
      },
      5_000,
      'click-to-call accepted after Asterisk returned',
    );
    await fx.waitStatus(accepted!, 'ringing', Math.max(500, 5_000 - (Date.now() - back)));
    expect(Date.now() - back).toBeLessThanOrEqual(5_000);

    for (const uuid of [bridged, ringingCall]) {
      await fx.waitStatus(uuid, 'ended', 10_000);
      const call = await fx.call(uuid);
      expect(call.events.filter((e: { type: string }) => e.type === 'pbx.call.hangup')).toHaveLength(1);
      expect(call.events.filter((e: { type: string }) => e.type === 'pbx.cdr.created')).toHaveLength(1);
      const cdrs = await fx.db.query('SELECT count(*)::int AS n FROM cdrs WHERE call_uuid = $1', [uuid]);
      expect(cdrs.rows[0].n).toBe(1);
    }
    expect((await fx.call(bridged)).disposition).toBe('ANSWERED');
    await fx.peer.hangupAll();
  });
});
