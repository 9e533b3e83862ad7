import { INestApplicationContext } from '@nestjs/common';
import { connect } from 'node:net';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from '../harness/api';
import { pbxInstanceOf } from '../harness/global-setup';
import { metricValue } from '../harness/raw-http';
import { sleep, waitUntil } from '../harness/sip-peer';
import { sipRegister } from '../harness/sip-register';
import { startTestWorker } from '../harness/worker';

/**
 * SIP brute force, from outside against the real Asterisk: other loopback addresses
 * (127.0.0.x) are distinct sources, except 127.0.0.3, the test carrier's (a trunk's address is
 * never banned). The worker bans after SIP_BAN_AFTER_FAILURES failed authentications; Asterisk
 * itself refuses the address (403, no challenge), across a restart and while the bans table
 * cannot be read, until the API lifts the ban or it expires.
 */
describe('SIP bans (real Asterisk, res_pjsip_acl)', () => {
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let db: Client;
  let extension: { number: string; password: string };

  const register = (source: string, password: string, user = extension.number) =>
    sipRegister({ port: api.context.pbx.sipPort, user, password, sourceAddress: source, expires: 0 });
  const bans = async () =>
    (await api.get('/api/pbx/security/bans').expect(200)).body.data as Array<{ address: string; failures: number }>;
  const workerMetrics = async () => (await fetch(`http://127.0.0.1:${api.context.pbx.ariPort + 2}/metrics`)).text();

  async function bruteForce(source: string, failures: number): Promise<void> {
    for (let i = 0; i < failures; i++) expect((await register(source, 'wrong-password-1')).status).toBe(401);
    await waitUntil(async () => (await bans()).some((b) => b.address === source), 5_000, `${source} banned`);
  }

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    const number = uniqueNumber();
    await api.post('/api/pbx/extensions', { number, password: 'bans-secret-1' }).expect(201);
    extension = { number, password: 'bans-secret-1' };
  });

  afterAll(async () => {
    await worker?.close();
    await db?.end();
    await api?.close();
  });

  describe('with SIP_BAN_AFTER_FAILURES=3', () => {
    beforeAll(async () => {
      worker = await startTestWorker({ SIP_BAN_AFTER_FAILURES: '3', SIP_BAN_SECONDS: '3600' });
      await sleep(500); // the worker's AMI session and event mask
    });

    afterAll(async () => {
      await worker?.close();
      worker = undefined;
    });

    it('bans a brute-forcing address: then even the right password gets 403 with no challenge, 127.0.0.1 still works', async () => {
      const before = metricValue(await workerMetrics(), 'pbx_sip_bans_total');
      await bruteForce('127.0.0.2', 3);
      expect((await bans()).find((b) => b.address === '127.0.0.2')?.failures).toBe(3);

      const banned = await register('127.0.0.2', extension.password);
      expect(banned.firstStatus).toBe(403);
      expect(banned.status).toBe(403);
      expect(metricValue(await workerMetrics(), 'pbx_sip_bans_total')).toBe(before + 1);

      // the exempt address (SIP_BAN_EXEMPT, 127.0.0.1/32) is never banned
      for (let i = 0; i < 4; i++) await register('127.0.0.1', 'wrong-password-1');
      expect((await register('127.0.0.1', extension.password)).status).toBe(200);
      expect((await bans()).some((b) => b.address === '127.0.0.1')).toBe(false);
    });

    it('the ban holds while the bans table cannot be read (Asterisk holds its own copy)', async () => {
      // the machine's PostgreSQL must stay up: the bans table is locked instead, so that any read
      // of it (directly or through a view) waits until the end of this test
      await db.query('BEGIN');
      await db.query('LOCK TABLE sip_bans IN ACCESS EXCLUSIVE MODE');
      try {
        expect((await register('127.0.0.2', extension.password)).status).toBe(403);
        expect((await register('127.0.0.1', extension.password)).status).toBe(200);
      } finally {
        await db.query('ROLLBACK');
      }
    });

    it('the ban survives an Asterisk restart', async () => {
      const pbx = pbxInstanceOf(api.context);
      await pbx.stop();
      await pbx.start();
      await waitUntil(async () => (await api.http().get('/health')).status === 200, 20_000, 'API healthy again');
      expect((await register('127.0.0.2', extension.password)).status).toBe(403);
      expect((await register('127.0.0.1', extension.password)).status).toBe(200);
    });

    it('DELETE lifts the ban at once, without a reload', async () => {
      await api.del('/api/pbx/security/bans/127.0.0.2').expect(204);
      expect((await register('127.0.0.2', extension.password)).status).toBe(200);
      expect((await bans()).some((b) => b.address === '127.0.0.2')).toBe(false);
      await api.del('/api/pbx/security/bans/127.0.0.2').expect(404);
      await api.del('/api/pbx/security/bans/not-an-address').expect(404);
    });

    it('a phone whose contact moves to a new address while the old one is there is counted', async () => {
      const before = metricValue(await workerMetrics(), 'pbx_sip_contact_moves_total');
      const registerFrom = (source: string) =>
        sipRegister({
          port: api.context.pbx.sipPort,
          user: extension.number,
          password: extension.password,
          sourceAddress: source,
          expires: 120,
        });
      // the worker's AMI session comes back some seconds after the restart above; a move it
      // does not hear is not counted
      await waitUntil(
        async () => (await workerMetrics()).includes('pbx_asterisk_connection_up{link="ami"} 1'),
        15_000,
        "worker's AMI session back",
      );
      expect((await registerFrom('127.0.0.1')).status).toBe(200);
      // a phone does not move within the worker's second look at the contacts (300 ms after the
      // authentication, when the registrar had not stored the contact yet)
      await sleep(1_000);
      expect((await registerFrom('127.0.0.6')).status).toBe(200);
      await waitUntil(
        async () => metricValue(await workerMetrics(), 'pbx_sip_contact_moves_total') === before + 1,
        5_000,
        'contact move counted',
      );
      await register('127.0.0.6', extension.password); // expires 0: unregister
    });
  });

  describe('with SIP_BAN_SECONDS=3', () => {
    beforeAll(async () => {
      worker = await startTestWorker({ SIP_BAN_AFTER_FAILURES: '2', SIP_BAN_SECONDS: '3' });
      await sleep(500);
    });

    it('a ban stops applying once its time is over', async () => {
      await bruteForce('127.0.0.5', 2);
      expect((await register('127.0.0.5', extension.password)).status).toBe(403);
      await waitUntil(
        async () => (await register('127.0.0.5', extension.password)).status === 200,
        8_000,
        'ban expired in Asterisk',
      );
      expect((await bans()).some((b) => b.address === '127.0.0.5')).toBe(false);
    });
  });

  it("the product's AMI user cannot Originate or run a CLI Command", async () => {
    const { amiPort, amiPassword } = api.context.pbx;
    const replies = await amiSession(amiPort, [
      { Action: 'Login', Username: 'pbx', Secret: amiPassword },
      { Action: 'Originate', Channel: 'Local/1000@pbx-internal', Application: 'Echo' },
      { Action: 'Command', Command: 'core show version' },
      { Action: 'UpdateConfig', SrcFilename: 'extensions.conf', DstFilename: 'extensions.conf' },
      { Action: 'SorceryMemoryCacheExpire', Cache: 'pbx_endpoint' },
    ]);
    expect(replies[0]).toMatch(/Response: Success/);
    for (const refused of replies.slice(1, 4))
      expect(refused).toMatch(/Response: Error\r\nActionID: \d+\r\nMessage: Permission denied/);
    // what the product needs (cache control, class system) is allowed
    expect(replies[4]).toMatch(/Response: Success/);
  });
});

/** Sends AMI actions over a raw TCP session; answers each action's reply block, in order. */
function amiSession(port: number, actions: Array<Record<string, string>>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(5_000, () => socket.destroy(new Error('AMI did not answer')));
    let buffer = '';
    const replies: string[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const block = buffer.slice(0, end + 2);
        buffer = buffer.slice(end + 4);
        if (/^Response: /m.test(block)) replies.push(block);
        if (replies.length === actions.length) {
          socket.end();
          resolve(replies);
          return;
        }
      }
    });
    socket.once('data', () => {
      // the banner line comes first, then one action at a time
      buffer = buffer.replace(/^Asterisk Call Manager[^\r\n]*\r\n/, '');
      actions.forEach((action, index) => {
        const lines = Object.entries({ ...action, ActionID: String(index + 1) }).map(([k, v]) => `${k}: ${v}`);
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      });
    });
  });
}
