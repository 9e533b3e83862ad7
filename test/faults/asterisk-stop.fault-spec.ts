import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { pbxInstanceOf } from '../harness/global-setup';
import { sleep, waitUntil } from '../harness/sip-peer';
import { metricValue } from '../harness/raw-http';

/**
 * Asterisk frozen (SIGSTOP): it keeps every TCP connection open and answers nothing, the
 * failure a plain disconnect test never shows. Health must say so within 10 s, reconcile runs
 * (every second here) must not pile up behind the hung requests, and after SIGCONT everything
 * must recover without restarting our processes.
 */
describe('fault: Asterisk frozen (SIGSTOP) and thawed', () => {
  const fx = new FaultFixture({ RECONCILE_INTERVAL_MS: '1000' });

  beforeAll(() => fx.start());
  afterAll(async () => {
    const pid = pbxInstanceOf(fx.context).pid();
    if (pid) process.kill(pid, 'SIGCONT');
    await fx.stop();
  });

  const health = async () => {
    const answer = await fetch(`${fx.api.url}/health`);
    return { status: answer.status, down: ((await answer.json()) as { data: { down: string[] } }).data.down };
  };
  const workerMetrics = async () => (await fetch(fx.worker.metricsUrl)).text();

  it('health turns 503 within 10 s, reconcile never runs twice at once, and all recovers after SIGCONT', async () => {
    const agent = await fx.agent();
    expect((await health()).status).toBe(200);
    const pid = pbxInstanceOf(fx.context).pid();
    expect(pid).toBeDefined();

    process.kill(pid!, 'SIGSTOP');
    const stoppedAt = Date.now();
    let maxInProgress = 0;
    const sampling = (async () => {
      while (Date.now() - stoppedAt < 20_000) {
        maxInProgress = Math.max(maxInProgress, metricValue(await workerMetrics(), 'pbx_reconcile_in_progress'));
        await sleep(250);
      }
    })();
    // if an expectation below fails first, the fixture is stopped under the loop: keep that quiet
    sampling.catch(() => undefined);
    // each link finds the freeze by its own keep-alive (3-6 s): wait for both, not the first
    let last = await health();
    await waitUntil(
      async () => {
        last = await health();
        return last.status === 503 && ['ami', 'ari'].every((link) => last.down.includes(link));
      },
      10_000,
      'health 503 naming AMI and ARI while Asterisk is frozen',
    ).catch((error: Error) => Promise.reject(new Error(`${error.message}; last report: ${JSON.stringify(last)}`)));
    expect(Date.now() - stoppedAt).toBeLessThan(11_000);
    await sampling;
    const page = await workerMetrics();
    expect(maxInProgress).toBe(1);
    // runs were asked for every second while one hung: they joined it instead of piling up
    expect(
      metricValue(page, 'pbx_reconcile_runs_total{outcome="joined"}') +
        metricValue(page, 'pbx_reconcile_runs_total{outcome="skipped"}'),
    ).toBeGreaterThan(5);

    process.kill(pid!, 'SIGCONT');
    await waitUntil(async () => (await health()).status === 200, 20_000, 'health 200 after SIGCONT');
    await waitUntil(
      async () => metricValue(await workerMetrics(), 'pbx_asterisk_connection_up{link="ari"}') === 1,
      20_000,
      'worker ARI back',
    );
    // a call works again, without restarting anything
    fx.peer.setBehavior(`phone-${agent}`, { kind: 'answer' });
    const customer = customerNumber();
    fx.peer.setBehavior(customer, { kind: 'answer', hangupAfterMs: 200 });
    await fx.peer.waitRegistration(agent, 'Registered');
    const accepted = await fx.clickToCall(agent, customer);
    expect(accepted.status).toBe(202);
    await fx.waitStatus(accepted.body.data.call_uuid, 'ended', 30_000);
    expect((await fx.call(accepted.body.data.call_uuid)).disposition).toBe('ANSWERED');
  });
});
