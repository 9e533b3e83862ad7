import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { endpointOfChannelName } from '@pbx/asterisk';
import { startTestApi, TestApi, uniqueNumber } from '../harness/api';
import { PbxStasisListener } from '../harness/pbx-stasis';
import { sipInvite } from '../harness/raw-sip';
import { SipPeer, sleep, waitUntil } from '../harness/sip-peer';
import { startTestWorker } from '../harness/worker';

/**
 * Who a SIP request is taken for, against the real Asterisk (SPEC section 2, "SIP
 * identification"): a carrier only by its source address (a trunk's inbound_addresses, any
 * port), a desk phone only by username with its password, whatever the From header claims.
 * And what every call then meets in the dialplan: digit-exact numbers into Stasis with a
 * constant kind, 404 for anything else, and cause 34 (SIP 503) when nobody adopts the call.
 * 127.0.0.3 is the test carrier's address; 127.0.0.4 plays an attacker.
 */
describe('SIP identification and the dialplan every call meets (real Asterisk)', () => {
  const ATTACKER = '127.0.0.4';
  let api: TestApi;
  let peer: SipPeer;
  let db: Client;
  let stasis: PbxStasisListener | undefined;
  let worker: INestApplicationContext | undefined;
  let trunk: { id: number; inbound_addresses: string[] };
  let extension: { number: string; password: string };
  const did = () => `0283${uniqueNumber()}`;
  const invite = (options: { source: string; requestUser: string; fromUser: string; timeoutMs?: number }) =>
    sipInvite({ port: api.context.pbx.sipPort, sourceAddress: options.source, ...options });
  const celRowsAfter = async (id: number) =>
    (await db.query<{ n: string }>('SELECT count(*) AS n FROM cel WHERE id > $1', [id])).rows[0].n;
  const lastCelId = async () =>
    Number((await db.query<{ id: string | null }>('SELECT max(id) AS id FROM cel')).rows[0].id ?? 0);

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    peer = await SipPeer.connect(api.context);
    trunk = (
      await api
        .post('/api/pbx/trunks', {
          name: `ident-carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data;
    const number = uniqueNumber();
    await api.post('/api/pbx/extensions', { number, password: 'ident-secret-1' }).expect(201);
    extension = { number, password: 'ident-secret-1' };
  });

  afterAll(async () => {
    await stasis?.close();
    await worker?.close();
    await peer?.close();
    await db?.end();
    await api?.close();
  });

  describe("with a test app in the worker's place, adopting nothing", () => {
    beforeAll(async () => {
      stasis = await PbxStasisListener.connect(api.context);
    });

    afterAll(async () => {
      await stasis?.close();
      stasis = undefined;
    });

    it("the trunk's inbound_addresses default to the address its host names", () => {
      expect(trunk.inbound_addresses).toEqual([`${api.context.peer.carrierAddress}/32`]);
    });

    it('an INVITE from elsewhere whose From names the trunk is challenged and never reaches Stasis', async () => {
      const number = did();
      const answer = await invite({ source: ATTACKER, requestUser: number, fromUser: `trunk-${trunk.id}` });
      expect(answer.status).toBe(401);
      expect(answer.challenged).toBe(true);
      await sleep(500);
      expect(stasis!.entered.filter((e) => e.exten === number)).toEqual([]);
    });

    it("an INVITE from elsewhere with an extension's number as From is challenged and never reaches Stasis", async () => {
      const number = did();
      const answer = await invite({ source: ATTACKER, requestUser: number, fromUser: extension.number });
      expect(answer.status).toBe(401);
      expect(answer.challenged).toBe(true);
      await sleep(500);
      expect(stasis!.entered.filter((e) => e.exten === number)).toEqual([]);
    });

    it('a Request-URI user that is not digits gets 404 from the carrier address, and no channel is made', async () => {
      const before = await lastCelId();
      const enteredBefore = stasis!.entered.length;
      // from an ephemeral port: addresses match without port
      const carrier = api.context.peer.carrierAddress;
      // '^' is not allowed in a SIP user: PJSIP drops the request unanswered
      const literal = await invite({
        source: carrier,
        requestUser: '2001,aors)%3Ax,G(pbx-stasis^s^1)',
        fromUser: '0912345678',
        timeoutMs: 3_000,
      }).then(
        (answer) => answer.status,
        () => 'no answer',
      );
      expect(literal).toBe('no answer');
      // escaped, it parses, and no digit-exact pattern takes it
      const crafted = await invite({
        source: carrier,
        requestUser: '2001,aors)%3Ax,G(pbx-stasis%5Es%5E1)',
        fromUser: '0912345678',
      });
      expect(crafted.status).toBe(404);
      expect(crafted.challenged).toBe(false);
      for (const requestUser of ['2001%40x', '*97', '0283X1', '1'.repeat(21), '++0283']) {
        expect((await invite({ source: carrier, requestUser, fromUser: '0912345678' })).status).toBe(404);
      }
      await sleep(1_000);
      // CEL logs every channel's start: nothing at all was created on the PBX
      expect(await celRowsAfter(before)).toBe('0');
      expect(await stasis!.channelNames()).toEqual([]);
      expect(stasis!.entered.length).toBe(enteredBefore);
    });

    it('a digits DID from the carrier address (any port) enters Stasis as inbound, with its exten and the trunk endpoint', async () => {
      const number = did();
      const answer = invite({
        source: api.context.peer.carrierAddress,
        requestUser: `+${number}`,
        fromUser: '0912345678',
      });
      const entered = await stasis!.waitFor((e) => e.exten === `+${number}`);
      expect(entered).toMatchObject({ context: 'pbx-from-trunk', args: ['inbound'], callerNumber: '0912345678' });
      expect(endpointOfChannelName(entered.name)).toMatch(/^trunk-\d+$/);
      await stasis!.client.channels.hangup({ channelId: entered.channelId, reason: 'normal' });
      expect((await answer).status).toBeGreaterThanOrEqual(400);
    });

    it("the carrier's INVITE whose From user is an extension's number is still the trunk's, and its P-Asserted-Identity is read", async () => {
      const number = did();
      const channelId = await peer.carrierCall({ did: number, fromUser: extension.number, pai: '0987000111' });
      const entered = await stasis!.waitFor((e) => e.exten === number);
      expect(entered).toMatchObject({ context: 'pbx-from-trunk', args: ['inbound'], callerNumber: '0987000111' });
      expect(endpointOfChannelName(entered.name)).toMatch(/^trunk-\d+$/);
      await stasis!.client.channels.hangup({ channelId: entered.channelId, reason: 'normal' });
      await peer.outcome(channelId);
    });

    it('a carrier call without a Request-URI user enters as exten s (DID "")', async () => {
      const channelId = await peer.carrierCall({ did: '', fromUser: '0912000222' });
      const entered = await stasis!.waitFor((e) => e.callerNumber === '0912000222');
      expect(entered).toMatchObject({ context: 'pbx-from-trunk', exten: 's', args: ['inbound'] });
      await stasis!.client.channels.hangup({ channelId: entered.channelId, reason: 'normal' });
      await peer.outcome(channelId);
    });

    it('a call nobody adopts is refused after its 10 s with cause 34: the carrier sees 503 and can fail over', async () => {
      const number = did();
      const channelId = await peer.carrierCall({ did: number, fromUser: '0912345678' });
      const entered = await stasis!.waitFor((e) => e.exten === number);
      const outcome = await peer.outcome(channelId, 20_000);
      expect(outcome).toMatchObject({ cause: 34, sipCode: 503, answered: false });
      expect(outcome.afterMs).toBeGreaterThanOrEqual(9_000);
      expect(outcome.afterMs).toBeLessThan(14_000);
      // the PBX's own channel ended with 34 too (its CEL HANGUP event)
      let hangup: { extra: string } | undefined;
      await waitUntil(
        async () =>
          (hangup = (
            await db.query<{ extra: string }>(`SELECT extra FROM cel WHERE uniqueid = $1 AND eventtype = 'HANGUP'`, [
              entered.channelId,
            ])
          ).rows[0]) !== undefined,
        5_000,
        'the CEL HANGUP of the PBX channel',
      );
      expect(JSON.parse(hangup!.extra)).toMatchObject({ hangupcause: 34 });
    }, 30_000);
  });

  describe('inbound_addresses through the API, live in Asterisk at once', () => {
    it('refuses a bad or too broad block naming inbound_addresses, and writes nothing', async () => {
      const before = (await api.get('/api/pbx/trunks').expect(200)).body.data.length;
      for (const bad of [
        ['not-an-ip'],
        ['10.0.0.0/33'],
        ['0.0.0.0/0'],
        ['10.0.0.0/7'],
        ['::1'],
        ['1.2.3.4:5060'],
        'x',
      ]) {
        const response = await api
          .post('/api/pbx/trunks', { name: `bad-${uniqueNumber()}`, host: '192.0.2.30', inbound_addresses: bad })
          .expect(422);
        const fields = new Set(response.body.error.details.map((d: { field: string }) => d.field));
        expect([...fields]).toEqual(['inbound_addresses']);
      }
      const tooMany = Array.from({ length: 33 }, (_, i) => `192.0.2.${i + 1}`);
      await api
        .post('/api/pbx/trunks', { name: `many-${uniqueNumber()}`, host: '192.0.2.30', inbound_addresses: tooMany })
        .expect(422);
      expect((await api.get('/api/pbx/trunks').expect(200)).body.data.length).toBe(before);
    });

    it('a host that does not resolve needs an explicit list (422 naming host); a new host brings its addresses', async () => {
      const unresolvable = await api
        .post('/api/pbx/trunks', { name: `nx-${uniqueNumber()}`, host: 'carrier.invalid' })
        .expect(422);
      expect(unresolvable.body.error.details).toEqual([{ field: 'host', message: expect.stringMatching(/resolve/) }]);
      const created = (
        await api
          .post('/api/pbx/trunks', {
            name: `named-${uniqueNumber()}`,
            host: 'carrier.invalid',
            inbound_addresses: ['203.0.113.7', '10.1.2.3/8', '203.0.113.7/32'],
          })
          .expect(201)
      ).body.data;
      expect(created.inbound_addresses).toEqual(['203.0.113.7/32', '10.0.0.0/8']);
      const rows = await db.query('SELECT id, match FROM ps_endpoint_id_ips WHERE endpoint = $1 ORDER BY id', [
        `trunk-${created.id}`,
      ]);
      expect(rows.rows).toEqual([
        { id: `trunk-${created.id}-1`, match: '203.0.113.7/32' },
        { id: `trunk-${created.id}-2`, match: '10.0.0.0/8' },
      ]);
      // the port is not part of the match, whatever port the trunk has
      const patched = await api.patch(`/api/pbx/trunks/${created.id}`, { host: '192.0.2.44', port: 5080 }).expect(200);
      expect(patched.body.data.inbound_addresses).toEqual(['192.0.2.44/32']);
      await api.patch(`/api/pbx/trunks/${created.id}`, { port: 5090 }).expect(200);
      expect((await api.get(`/api/pbx/trunks/${created.id}`)).body.data.inbound_addresses).toEqual(['192.0.2.44/32']);
      const refused = await api.patch(`/api/pbx/trunks/${created.id}`, { host: 'other.invalid' }).expect(422);
      expect(refused.body.error.details[0].field).toBe('host');
      await api.patch(`/api/pbx/trunks/${created.id}`, { inbound_addresses: [] }).expect(200);
      expect(
        (await db.query('SELECT 1 FROM ps_endpoint_id_ips WHERE endpoint = $1', [`trunk-${created.id}`])).rowCount,
      ).toBe(0);
      await api.del(`/api/pbx/trunks/${created.id}`).expect(204);
    });

    it("a change of inbound_addresses is live on the next INVITE (Asterisk's identify cache is refreshed)", async () => {
      const moving = (
        await api
          .post('/api/pbx/trunks', {
            name: `moving-${uniqueNumber()}`,
            host: '192.0.2.50',
            inbound_addresses: ['127.0.0.7'],
          })
          .expect(201)
      ).body.data;
      stasis = await PbxStasisListener.connect(api.context);
      try {
        const number = did();
        const answer = invite({ source: '127.0.0.7', requestUser: number, fromUser: '0912345678' });
        const entered = await stasis.waitFor((e) => e.exten === number);
        expect(endpointOfChannelName(entered.name)).toBe(`trunk-${moving.id}`);
        await stasis.client.channels.hangup({ channelId: entered.channelId, reason: 'normal' });
        await answer;

        await api.patch(`/api/pbx/trunks/${moving.id}`, { inbound_addresses: ['127.0.0.8'] }).expect(200);
        expect((await invite({ source: '127.0.0.7', requestUser: did(), fromUser: '0912345678' })).status).toBe(401);
        await api.patch(`/api/pbx/trunks/${moving.id}`, { status: 'disabled' }).expect(200);
        expect((await invite({ source: '127.0.0.8', requestUser: did(), fromUser: '0912345678' })).status).toBe(401);
      } finally {
        await stasis.close();
        stasis = undefined;
      }
      await api.del(`/api/pbx/trunks/${moving.id}`).expect(204);
    });
  });

  describe('when nothing takes the call', () => {
    it('with the Stasis app not registered at all, a carrier call is refused at once with 503 (cause 34)', async () => {
      const channelId = await peer.carrierCall({ did: did(), fromUser: '0912345678' });
      const outcome = await peer.outcome(channelId);
      expect(outcome).toMatchObject({ cause: 34, sipCode: 503 });
      expect(outcome.afterMs).toBeLessThan(3_000);
    });

    it('the worker refuses a carrier call with no route, and a phone call to a disabled extension, with cause 1 (SIP 404)', async () => {
      // holds with or without the call flows: no inbound route is cause 1, and so is a
      // disabled extension's number, which never reaches a trunk
      const callee = uniqueNumber();
      const disabled = await api
        .post('/api/pbx/extensions', { number: callee, password: 'ident-secret-2' })
        .expect(201);
      await api.patch(`/api/pbx/extensions/${disabled.body.data.id}`, { status: 'disabled' }).expect(200);
      await peer.addPhone(extension.number, extension.password);
      worker = await startTestWorker();
      await peer.waitRegistration(extension.number, 'Registered');
      const { ariPort, ariPassword, ariApp } = api.context.pbx;
      const authorization = `Basic ${Buffer.from(`pbx:${ariPassword}`).toString('base64')}`;
      await waitUntil(
        async () =>
          (await fetch(`http://127.0.0.1:${ariPort}/ari/applications/${ariApp}`, { headers: { authorization } }))
            .status === 200,
        10_000,
        "the worker's Stasis app registered",
      );
      const carrier = await peer.outcome(await peer.carrierCall({ did: did(), fromUser: '0912345678' }));
      expect(carrier).toMatchObject({ cause: 1, sipCode: 404 });
      const phone = await peer.outcome(await peer.dial(extension.number, callee));
      expect(phone).toMatchObject({ cause: 1, sipCode: 404 });
      await peer.removePhone(extension.number);
    }, 45_000);
  });
});
