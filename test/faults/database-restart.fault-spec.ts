import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { customerNumber, FaultFixture } from '../harness/fault-fixture';
import { waitUntil } from '../harness/sip-peer';

/**
 * PostgreSQL's own control command (Debian's pg_ctlcluster), on the machine's cluster. Starting
 * a running cluster is a no-op (pg_ctlcluster itself exits 2 for it).
 */
function cluster(action: 'stop' | 'start'): void {
  const version = fs.readdirSync('/etc/postgresql').sort().pop();
  if (!version) throw new Error('no PostgreSQL cluster found in /etc/postgresql');
  const ctl = (...args: string[]) =>
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', ...args], {
      stdio: 'ignore',
      timeout: 60_000,
    });
  if (action === 'start' && running(ctl)) return;
  ctl(action, ...(action === 'stop' ? ['-m', 'fast'] : []));
}

function running(ctl: (...args: string[]) => Buffer): boolean {
  try {
    ctl('status');
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL restarted under the running API and worker: the API answers 503 (not 500, not a
 * hang) while it is away and recovers by itself, with no restart of our processes.
 */
describe('fault: PostgreSQL restarted', () => {
  const fx = new FaultFixture();

  beforeAll(() => fx.start());
  afterAll(async () => {
    try {
      cluster('start'); // never leave the machine without its database
    } finally {
      await fx.stop();
    }
  });

  it('answers 503 while the database is down and recovers without a restart', async () => {
    const agent = await fx.agent();
    cluster('stop');
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
      cluster('start');
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
