import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';
import { migrate } from '../../libs/database/src/migrate';
import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { pbxInstanceOf } from '../harness/global-setup';
import { waitUntil } from '../harness/sip-peer';
import { TestContext, testContext } from '../harness/test-context';
import { ThrowawayPostgres } from '../harness/throwaway-postgres';

/**
 * PostgreSQL restarted under the running API and worker: the API answers 503 (not 500, not a
 * hang) while it is away and recovers by itself, with no restart of our processes.
 *
 * The PostgreSQL stopped is a throwaway cluster of this test's own (base + 600), never the
 * machine's: the API, the worker and a PBX Asterisk of their own (base + 610 to base + 799, its
 * PJSIP realtime reading that cluster) all use it; the SIP test peer is the global setup's.
 */
describe('fault: PostgreSQL restarted', () => {
  const shared = testContext();
  const base = shared.portBase;
  const postgres = new ThrowawayPostgres(base + 600);
  const context: TestContext = {
    ...shared,
    databaseUrl: postgres.url('pbx_fault'),
    pbx: {
      ...shared.pbx,
      name: `fault-db-pbx-${base}`,
      sipPort: base + 660,
      amiPort: base + 638,
      ariPort: base + 688, // the fixture's API on base + 698, the worker's metrics on base + 690
      rtpStart: base + 700,
      rtpEnd: base + 799,
    },
  };
  let pbx: AsteriskInstance | undefined;
  const fx = new FaultFixture({}, context);

  beforeAll(async () => {
    await postgres.create('pbx_fault');
    await migrate(context.databaseUrl);
    pbx = pbxInstanceOf(context);
    await pbx.start();
    await fx.start();
  }, 120_000);

  afterAll(async () => {
    try {
      await fx.stop();
      await pbx?.stop();
    } finally {
      postgres.drop(); // also when anything above failed
    }
  }, 60_000);

  it('answers 503 while the database is down and recovers without a restart', async () => {
    const agent = await fx.agent();
    postgres.stop();
    try {
      const health = await fetch(`${fx.api.url}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { data: { down: string[] } }).data.down).toContain('database');
      await waitUntil(
        async () => (await fx.request('GET', '/api/pbx/extensions')).status === 503,
        10_000,
        'extensions 503',
      );
      const list = await fx.request('GET', '/api/pbx/extensions');
      expect(list.body.error.code).toBe('service_unavailable');
      const call = await fx.clickToCall(agent, customerNumber());
      expect(call.status).toBe(503);
    } finally {
      postgres.start();
    }
    const apiPid = fx.api.pid;
    const workerPid = fx.worker.pid;
    await waitUntil(async () => (await fetch(`${fx.api.url}/health`)).status === 200, 20_000, 'health 200 again');
    await waitUntil(
      async () => (await fx.request('GET', '/api/pbx/extensions')).status === 200,
      10_000,
      'extensions 200 again',
    );
    expect(fx.api.pid).toBe(apiPid);
    expect(fx.worker.pid).toBe(workerPid);

    // and calls work again end to end (Asterisk's realtime link to the database recovered too)
    fx.peer.setBehavior(`phone-${agent}`, { kind: 'ring' });
    await fx.peer.reregister(agent);
    let accepted: string | undefined;
    await waitUntil(
      async () => {
        const response = await fx.clickToCall(agent, customerNumber());
        if (response.status === 202) accepted = response.body.data.call_uuid;
        return accepted !== undefined;
      },
      20_000,
      'click-to-call accepted again',
    );
    await fx.waitStatus(accepted!, 'ringing');
    await fx.peer.hangupAll();
  });
});
