import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

/**
 * Click-to-call `auto_answer` (SPEC section 3) as the phones and the carrier see it: the agent's
 * INVITE alone carries the four auto-answer headers, and only from an extension an admin allowed
 * (`auto_answer_allowed`); otherwise 422 `auto_answer_not_allowed` with nothing written or rung.
 */
describe('click-to-call auto_answer (real Asterisk, SIP phone and carrier)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let trunk: { id: number };
  let tokens: string[] = [];
  let nextToken = 0;
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    api = await startTestApi({ RING_TIMEOUT: '6' });
    worker = await startTestWorker({ RING_TIMEOUT: '6', CUSTOMER_RING_TIMEOUT: '6' }, workerLog);
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
    // the budget is 10 click-to-call requests a minute per token
    tokens = await Promise.all(Array.from({ length: 12 }, () => api.newToken()));
  });

  afterEach(async () => {
    await peer.hangupAll();
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  /** The four headers as the PBX is configured to send them (its realm names it in the URIs). */
  const autoAnswerHeaders = () => ({
    'Call-Info': `<sip:${api.context.sipRealm}>;answer-after=0`,
    'Alert-Info': `<sip:${api.context.sipRealm}>;info=alert-autoanswer;delay=0`,
    'Answer-Mode': 'Auto',
    'P-Auto-answer': 'normal',
  });

  async function agent(fields: Record<string, unknown> = {}) {
    const number = uniqueNumber();
    const password = phonePassword(number);
    const created = (await api.post('/api/pbx/extensions', { number, password, ...fields }).expect(201)).body.data;
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${created.id}`)).body.data.registered === true,
      5_000,
      'registered',
    );
    return created as { id: number; number: string; auto_answer_allowed: boolean };
  }

  const clickToCall = (body: Record<string, unknown>) =>
    api.post('/api/pbx/calls/click-to-call', body, tokens[nextToken++ % tokens.length]);
  const callStatus = async (uuid: string) => (await api.get(`/api/pbx/calls/${uuid}`).expect(200)).body.data.status;
  const waitEnded = (uuid: string) =>
    waitUntil(async () => (await callStatus(uuid)) === 'ended', 20_000, `call ${uuid} ended`);
  const callRows = async (extension: string) =>
    Number((await db.query('SELECT count(*) AS n FROM calls WHERE extension = $1', [extension])).rows[0].n);

  /** Places a call whose agent rings; what the agent's phone received; the agent then rejects it. */
  async function agentInvite(from: string, body: Record<string, unknown>) {
    peer.setBehavior(`phone-${from}`, { kind: 'ring' });
    const uuid = (
      await clickToCall({ from_extension: from, to_phone: `09${uniqueNumber()}`, trunk_id: trunk.id, ...body }).expect(
        202,
      )
    ).body.data.call_uuid as string;
    const atPhone = await peer.waitForCall((c) => c.exten === `phone-${from}` && !c.ended, 10_000);
    await peer.hangup(atPhone.channelId);
    await waitEnded(uuid);
    return atPhone;
  }

  it('auto_answer_allowed is false by default, set on create and by PATCH, and returned', async () => {
    const number = uniqueNumber();
    const plain = (await api.post('/api/pbx/extensions', { number }).expect(201)).body.data;
    expect(plain.auto_answer_allowed).toBe(false);
    const allowed = (
      await api.post('/api/pbx/extensions', { number: uniqueNumber(), auto_answer_allowed: true }).expect(201)
    ).body.data;
    expect(allowed.auto_answer_allowed).toBe(true);
    expect((await api.get(`/api/pbx/extensions/${allowed.id}`).expect(200)).body.data.auto_answer_allowed).toBe(true);
    const patched = await api.patch(`/api/pbx/extensions/${plain.id}`, { auto_answer_allowed: true }).expect(200);
    expect(patched.body.data.auto_answer_allowed).toBe(true);
    const row = await db.query('SELECT auto_answer_allowed FROM extensions WHERE id = $1', [plain.id]);
    expect(row.rows[0].auto_answer_allowed).toBe(true);
  });

  it.each([['yes'], [1], [null], ['true']])('auto_answer_allowed %j is 422 naming the field', async (value) => {
    const refused = await api
      .post('/api/pbx/extensions', { number: uniqueNumber(), auto_answer_allowed: value })
      .expect(422);
    expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual(['auto_answer_allowed']);
  });

  describe('from an extension that allows it', () => {
    let number: string;
    beforeAll(async () => {
      number = (await agent({ auto_answer_allowed: true })).number;
    });

    it("auto_answer: true puts the four headers on the agent's INVITE and none on the customer's", async () => {
      const customer = `09${uniqueNumber()}`;
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      peer.setBehavior(customer, { kind: 'ring' });
      const uuid = (
        await clickToCall({
          from_extension: number,
          to_phone: customer,
          trunk_id: trunk.id,
          auto_answer: true,
          headers: { Ticket: 'T-7' },
        }).expect(202)
      ).body.data.call_uuid as string;
      const atPhone = await peer.waitForCall((c) => c.exten === `phone-${number}` && !c.ended, 10_000);
      expect(atPhone.named).toEqual(autoAnswerHeaders());
      const atCarrier = await peer.waitForCall((c) => c.exten === customer, 15_000);
      expect(atCarrier.named).toEqual({});
      expect(atCarrier.headers).toEqual({ 'X-Ticket': 'T-7' });
      await peer.hangupAll();
      await waitEnded(uuid);
    });

    it.each([
      ['left out', {}],
      ['false', { auto_answer: false }],
    ])("auto_answer %s: the agent's INVITE carries none of them", async (_name, body) => {
      const atPhone = await agentInvite(number, body);
      expect(atPhone.named).toEqual({});
    });

    it.each([['yes'], ['true'], [1], [null], [{}]])(
      'auto_answer %j is 422 naming the field, nothing rung',
      async (value) => {
        const before = await callRows(number);
        const refused = await clickToCall({
          from_extension: number,
          to_phone: `09${uniqueNumber()}`,
          trunk_id: trunk.id,
          auto_answer: value,
        });
        expect(refused.status).toBe(422);
        expect(refused.body.error.code).toBe('validation_failed');
        expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual(['auto_answer']);
        expect(await callRows(number)).toBe(before);
      },
    );
  });

  describe('from an extension that does not allow it', () => {
    let ext: { id: number; number: string; auto_answer_allowed: boolean };
    beforeAll(async () => {
      ext = await agent();
    });

    it('is 422 auto_answer_not_allowed naming auto_answer: no call row, no INVITE at the phone', async () => {
      expect(ext.auto_answer_allowed).toBe(false);
      const since = peer.calls.length;
      const refused = await clickToCall({
        from_extension: ext.number,
        to_phone: `09${uniqueNumber()}`,
        trunk_id: trunk.id,
        auto_answer: true,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toEqual({
        code: 'auto_answer_not_allowed',
        message: expect.any(String),
        details: [{ field: 'auto_answer', message: expect.any(String) }],
      });
      expect(await callRows(ext.number)).toBe(0);
      const listed = await api.get(`/api/pbx/calls?extension=${ext.number}`).expect(200);
      expect(listed.body.data).toEqual([]);
      await sleep(1_500); // an INVITE would have reached the peer by now
      expect(peer.calls.slice(since).filter((c) => c.exten === `phone-${ext.number}`)).toEqual([]);
    });

    it('is placed once an admin allows it, and refused again once the admin takes it back', async () => {
      await api.patch(`/api/pbx/extensions/${ext.id}`, { auto_answer_allowed: true }).expect(200);
      const atPhone = await agentInvite(ext.number, { auto_answer: true });
      expect(atPhone.named).toEqual(autoAnswerHeaders());
      await api.patch(`/api/pbx/extensions/${ext.id}`, { auto_answer_allowed: false }).expect(200);
      const before = await callRows(ext.number);
      const refused = await clickToCall({
        from_extension: ext.number,
        to_phone: `09${uniqueNumber()}`,
        trunk_id: trunk.id,
        auto_answer: true,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('auto_answer_not_allowed');
      expect(await callRows(ext.number)).toBe(before);
    });
  });
});
