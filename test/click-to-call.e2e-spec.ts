import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { CdrTimes, cdrTimes, expectBillsec } from './harness/cdr-checks';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sipUser, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

interface CallView {
  status: string;
  disposition: string | null;
  hangup_by: string | null;
  hangup_cause: number | null;
  events: Array<{ type: string; leg: string | null; sequence: number; occurred_at: string }>;
  legs: Array<{ leg: string; ringing_at: string | null; answered_at: string | null }>;
}

/** Click-to-call as a CRM integrator sees it, on the real Asterisk with real SIP peers. */
describe('click-to-call (real Asterisk, SIP phone and carrier)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let trunk: { id: number; name: string };
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    // short ring timeouts keep the no-answer paths quick
    api = await startTestApi({ RING_TIMEOUT: '6' });
    worker = await startTestWorker(
      { RING_TIMEOUT: '6', CUSTOMER_RING_TIMEOUT: '6', TRUNK_RESPONSE_TIMEOUT: '2' },
      workerLog,
    );
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
    tokens = await Promise.all(Array.from({ length: 40 }, () => api.newToken()));
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  async function agent(fields: Record<string, unknown> = {}): Promise<{ id: number; number: string }> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    const created = await api
      .post('/api/pbx/extensions', { number, password, display_name: `Agent ${number}`, ...fields })
      .expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${created.body.data.id}`)).body.data.registered === true,
      5_000,
      'registered',
    );
    return { id: created.body.data.id, number };
  }

  /** every click-to-call gets its own token: the budget is 10 requests a minute per token */
  let tokens: string[] = [];
  let nextToken = 0;
  const clickToCall = (body: unknown, token?: string) =>
    api.post('/api/pbx/calls/click-to-call', body, token ?? tokens[nextToken++ % tokens.length]);
  const getCall = async (uuid: string): Promise<CallView> =>
    (await api.get(`/api/pbx/calls/${uuid}`).expect(200)).body.data;
  /** The CDR row and the pbx.cdr.created event stored for the CRM agree, and billsec is the talk time. */
  async function expectCdrAsEvent(uuid: string): Promise<CdrTimes> {
    const row = cdrTimes((await db.query('SELECT * FROM cdrs WHERE call_uuid = $1', [uuid])).rows[0]);
    const event = (
      await db.query(`SELECT payload FROM call_events WHERE call_uuid = $1 AND type = 'pbx.cdr.created'`, [uuid])
    ).rows[0].payload;
    expect(event.cdr).toEqual(row);
    expectBillsec(row);
    return row;
  }
  const waitStatus = (uuid: string, status: string, timeoutMs = 15_000) =>
    waitUntil(async () => (await getCall(uuid)).status === status, timeoutMs, `call ${status}`);

  it('answered path: agent rings, answers, customer gets caller id and X- header, bridge, hangup, one CDR', async () => {
    const since = Date.now();
    const { number } = await agent();
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${number}`, { kind: 'answer', afterMs: 200 });
    peer.setBehavior(customer, { kind: 'answer', afterMs: 200 });

    const response = await clickToCall({
      from_extension: number,
      to_phone: customer,
      trunk_id: trunk.id,
      headers: { Ticket: 'T-42' },
    }).expect(202);
    expect(response.body.data).toEqual({
      call_uuid: expect.any(String),
      a_leg_uuid: expect.any(String),
      b_leg_uuid: expect.any(String),
      from_extension: number,
      to_phone: customer,
      caller_id: number,
      trunk_id: trunk.id,
      trunk_name: trunk.name,
      routing_mode: 'direct_gateway',
      status: 'queued',
    });
    const uuid = response.body.data.call_uuid;

    const atCarrier = await peer.waitForCall((c) => c.exten === customer, 15_000);
    expect(atCarrier.callerNumber).toBe(number);
    expect(atCarrier.headers['X-Ticket']).toBe('T-42');
    expect(atCarrier.pAssertedIdentity).toContain(number);
    expect(sipUser(atCarrier.from)).toBe(number); // no outbound_caller_id, no caller_id: the extension number
    await waitStatus(uuid, 'answered');

    await peer.hangup(atCarrier.channelId); // the customer hangs up
    await waitStatus(uuid, 'ended');
    const call = await getCall(uuid);
    expect(call).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'b' });
    // every event of the call, the ones every direction has (started, the far end's ringing, each leg's end) included
    expect(call.events.map((e) => `${e.type}:${e.leg}`)).toEqual([
      'pbx.call.started:a',
      'pbx.call.ringing:a',
      'pbx.call.answered:a',
      'pbx.call.ringing:b',
      'pbx.call.answered:b',
      'pbx.call.leg_ended:b',
      'pbx.call.leg_ended:a',
      'pbx.call.hangup:b',
      'pbx.cdr.created:a',
    ]);
    expect(call.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // ARI reports ringing and answer twice (channel state and dial status): a leg keeps the first, as its event does
    const eventAt = (type: string, leg: string) =>
      call.events.find((e) => e.type === type && e.leg === leg)?.occurred_at;
    const [legA, legB] = [call.legs.find((l) => l.leg === 'a'), call.legs.find((l) => l.leg === 'b')];
    expect({ a_ringing: legA?.ringing_at, a_answered: legA?.answered_at, b_answered: legB?.answered_at }).toEqual({
      a_ringing: eventAt('pbx.call.ringing', 'a'),
      a_answered: eventAt('pbx.call.answered', 'a'),
      b_answered: eventAt('pbx.call.answered', 'b'),
    });
    const cdrs = await db.query('SELECT disposition, billsec, headers, b_answered_at FROM cdrs WHERE call_uuid = $1', [
      uuid,
    ]);
    expect(cdrs.rows).toHaveLength(1);
    expect(cdrs.rows[0]).toMatchObject({ disposition: 'ANSWERED', headers: { Ticket: 'T-42' } });
    expect(cdrs.rows[0].b_answered_at).not.toBeNull();
    await expectCdrAsEvent(uuid);
    // a direct call names its trunk in every event, from the first
    const payloads = await db.query('SELECT payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [uuid]);
    for (const { payload } of payloads.rows)
      expect(payload.call).toMatchObject({
        trunk_id: trunk.id,
        trunk_name: trunk.name,
        routing_mode: 'direct_gateway',
      });

    // the worker's metrics saw the call; the API serves its own
    const workerMetrics = await (await fetch(`http://127.0.0.1:${api.context.pbx.ariPort + 2}/metrics`)).text();
    expect(workerMetrics).toMatch(/pbx_calls_total\{outcome="ANSWERED"\} [1-9]/);
    expect(workerMetrics).toMatch(/pbx_click_to_call_agent_ringing_seconds_count [1-9]/);
    expect(workerMetrics).toMatch(/pbx_click_to_call_customer_answer_seconds_count [1-9]/);
    expect(workerMetrics).toContain('pbx_asterisk_connection_up{link="ari"} 1');
    const apiMetrics = await api.http().get('/metrics').expect(200);
    expect(apiMetrics.text).toContain('pbx_active_calls');
    // a happy path logs no error (a repeated ARI event acted on twice shows only there)
    expect(workerLog.errorsSince(since)).toEqual([]);
  });

  describe('caller id: the resolved number is in the 202 body and reaches the carrier in From and P-Asserted-Identity', () => {
    afterEach(async () => {
      await peer.hangupAll();
    });

    /** The agent answers, the customer rings: what the carrier received, then the call is ended. */
    async function placeToCarrier(from: string, body: Record<string, unknown> = {}) {
      const to = `09${uniqueNumber()}`;
      peer.setBehavior(`phone-${from}`, { kind: 'answer' });
      peer.setBehavior(to, { kind: 'ring' });
      const accepted = (
        await clickToCall({ from_extension: from, to_phone: to, trunk_id: trunk.id, ...body }).expect(202)
      ).body.data;
      const atCarrier = await peer.waitForCall((c) => c.exten === to, 15_000);
      await peer.hangupAll();
      await waitStatus(accepted.call_uuid, 'ended');
      return { accepted, atCarrier };
    }

    it("no caller_id in the request: the extension's outbound_caller_id, not its number", async () => {
      const outbound = `028${uniqueNumber()}`;
      const { number } = await agent({ outbound_caller_id: outbound });
      const { accepted, atCarrier } = await placeToCarrier(number);
      expect(accepted).toMatchObject({ from_extension: number, caller_id: outbound });
      expect(sipUser(atCarrier.from)).toBe(outbound);
      expect(sipUser(atCarrier.pAssertedIdentity)).toBe(outbound);
      expect(atCarrier.callerNumber).toBe(outbound);
    });

    it('a caller_id from GET /api/pbx/caller-ids wins over the outbound_caller_id', async () => {
      const company = `024${uniqueNumber()}`;
      await api.post('/api/pbx/caller-ids', { number: company, label: 'Sales line', trunk_id: trunk.id }).expect(201);
      const listed = (await api.get('/api/pbx/caller-ids', tokens[0]).expect(200)).body.data.map(
        (c: { number: string }) => c.number,
      );
      expect(listed).toContain(company); // what a CRM would offer its agent
      const { number } = await agent({ outbound_caller_id: `028${uniqueNumber()}` });
      const { accepted, atCarrier } = await placeToCarrier(number, { caller_id: company });
      expect(accepted).toMatchObject({ from_extension: number, caller_id: company });
      expect(sipUser(atCarrier.from)).toBe(company);
      expect(sipUser(atCarrier.pAssertedIdentity)).toBe(company);
      expect(atCarrier.callerNumber).toBe(company);
    });
  });

  describe('failure paths end with hangup and one cdr.created carrying the disposition', () => {
    let number: string;
    beforeAll(async () => {
      number = (await agent()).number;
    });
    afterEach(async () => {
      await peer.hangupAll();
    });

    const place = async (body: Record<string, unknown> = {}) =>
      (
        await clickToCall({
          from_extension: number,
          to_phone: `09${uniqueNumber()}`,
          trunk_id: trunk.id,
          ...body,
        }).expect(202)
      ).body.data;
    const ended = async (uuid: string, timeoutMs = 20_000) => {
      await waitStatus(uuid, 'ended', timeoutMs);
      const call = await getCall(uuid);
      const cdrs = await db.query('SELECT disposition FROM cdrs WHERE call_uuid = $1', [uuid]);
      expect(cdrs.rows).toEqual([{ disposition: call.disposition }]);
      expect(call.events.filter((e) => e.type === 'pbx.cdr.created')).toHaveLength(1);
      expect(call.events.slice(-2).map((e) => e.type)).toEqual(['pbx.call.hangup', 'pbx.cdr.created']);
      await expectCdrAsEvent(uuid);
      return call;
    };

    it('agent does not answer: NO ANSWER, the customer is never dialed', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'ring' });
      const { call_uuid, to_phone } = await place();
      const call = await ended(call_uuid);
      expect(call.disposition).toBe('NO ANSWER');
      expect(call.events.map((e) => e.type)).toEqual([
        'pbx.call.started',
        'pbx.call.ringing',
        'pbx.call.leg_ended',
        'pbx.call.hangup',
        'pbx.cdr.created',
      ]);
      expect(peer.calls.some((c) => c.exten === to_phone)).toBe(false);
    });

    it('agent rejects: BUSY', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'reject', cause: 'busy' });
      const call = await ended((await place()).call_uuid);
      expect(call).toMatchObject({ disposition: 'BUSY', hangup_by: 'a' });
    });

    it('customer busy: the agent is hung up, BUSY with cause 17, hung up by b', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      const to = `09${uniqueNumber()}`;
      peer.setBehavior(to, { kind: 'reject', cause: 'busy' });
      const call = await ended((await place({ to_phone: to })).call_uuid);
      expect(call).toMatchObject({ disposition: 'BUSY', hangup_by: 'b', hangup_cause: 17 });
      expect(call.events.map((e) => `${e.type}:${e.leg}`).slice(0, 3)).toEqual([
        'pbx.call.started:a',
        'pbx.call.ringing:a',
        'pbx.call.answered:a',
      ]);
    });

    it('customer does not answer: NO ANSWER after the customer ring timeout', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      const to = `09${uniqueNumber()}`;
      peer.setBehavior(to, { kind: 'ring' });
      const call = await ended((await place({ to_phone: to })).call_uuid);
      expect(call.disposition).toBe('NO ANSWER');
    });

    it('agent hangs up while the customer rings: the customer leg is cancelled, CANCELLED', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      const to = `09${uniqueNumber()}`;
      peer.setBehavior(to, { kind: 'ring' });
      const { call_uuid } = await place({ to_phone: to });
      const atCarrier = await peer.waitForCall((c) => c.exten === to);
      const atPhone = peer.calls.find((c) => c.exten === `phone-${number}` && !c.ended);
      await peer.hangup(atPhone!.channelId);
      const call = await ended(call_uuid);
      expect(call).toMatchObject({ disposition: 'CANCELLED', hangup_by: 'a' });
      await waitUntil(() => atCarrier.ended, 5_000, 'the carrier leg to be cancelled');
    });

    it('agent hangs up after the conversation: ANSWERED, hung up by a', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      const to = `09${uniqueNumber()}`;
      peer.setBehavior(to, { kind: 'answer' });
      const { call_uuid } = await place({ to_phone: to });
      await waitStatus(call_uuid, 'answered');
      const atPhone = peer.calls.find((c) => c.exten === `phone-${number}` && !c.ended);
      await peer.hangup(atPhone!.channelId);
      const call = await ended(call_uuid);
      expect(call).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'a' });
    });

    it('customer unreachable (nothing listens at the trunk): FAILED, agent hung up', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      const dead = (
        await api
          .post('/api/pbx/trunks', {
            name: `dead-${uniqueNumber()}`,
            host: api.context.peer.carrierAddress,
            port: api.context.peer.carrierPort + 5,
          })
          .expect(201)
      ).body.data;
      const call = await ended((await place({ trunk_id: dead.id })).call_uuid, 45_000);
      expect(call).toMatchObject({ disposition: 'FAILED', hangup_by: 'b', hangup_cause: 34 });
    }, 60_000);

    it('default routing: longest match, strip/prepend, next trunk when the first is unavailable', async () => {
      peer.setBehavior(`phone-${number}`, { kind: 'answer' });
      // the route prepends +84: the dial policy must allow Vietnam (test/dial-policy.e2e-spec.ts)
      const policy = (await api.get('/api/pbx/dial-policy').expect(200)).body.data;
      const setPolicy = (allowed: string[]) =>
        api
          .http()
          .put('/api/pbx/dial-policy')
          .set('Authorization', `Bearer ${api.adminToken}`)
          .send({ allowed_prefixes: allowed, denied_prefixes: policy.denied_prefixes })
          .expect(200);
      await setPolicy([...new Set([...policy.allowed_prefixes, '84'])]);
      const dead = (
        await api
          .post('/api/pbx/trunks', {
            name: `dead2-${uniqueNumber()}`,
            host: api.context.peer.carrierAddress,
            port: api.context.peer.carrierPort + 6,
          })
          .expect(201)
      ).body.data;
      const prefix = `07${String(Math.floor(Math.random() * 90) + 10)}`;
      await api.post('/api/pbx/routes', { name: `short-${prefix}`, pattern: '07', trunk_ids: [trunk.id] }).expect(201);
      await api
        .post('/api/pbx/routes', {
          name: `long-${prefix}`,
          pattern: prefix,
          trunk_ids: [dead.id, trunk.id],
          strip: 1,
          prepend: '+84',
        })
        .expect(201);
      const to = `${prefix}${uniqueNumber()}`;
      const dialled = `+84${to.slice(1)}`;
      peer.setBehavior(dialled, { kind: 'answer' });
      const accepted = (await clickToCall({ from_extension: number, to_phone: to }).expect(202)).body.data;
      await setPolicy(policy.allowed_prefixes);
      expect(accepted).toMatchObject({ routing_mode: 'dialplan_default', trunk_id: null, trunk_name: null });
      await waitStatus(accepted.call_uuid, 'answered', 45_000);
      const atCarrier = await peer.waitForCall((c) => c.exten === dialled);
      expect(atCarrier.callerNumber).toBe(number);
      const legs = (await api.get(`/api/pbx/calls/${accepted.call_uuid}`)).body.data.legs;
      expect(legs.filter((l: { leg: string }) => l.leg === 'b').map((l: { trunk_id: number }) => l.trunk_id)).toEqual([
        dead.id,
        trunk.id,
      ]);

      // the trunk that carried the call (the second: the first was unavailable) is recorded
      await peer.hangup(atCarrier.channelId);
      await ended(accepted.call_uuid);
      const used = { trunk_id: trunk.id, trunk_name: trunk.name };
      expect(
        (await db.query('SELECT trunk_id, trunk_name FROM cdrs WHERE call_uuid = $1', [accepted.call_uuid])).rows,
      ).toEqual([used]);
      expect(await getCall(accepted.call_uuid)).toMatchObject({ ...used, routing_mode: 'dialplan_default' });
      const stored = await db.query(
        'SELECT type, leg, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence',
        [accepted.call_uuid],
      );
      const trunkOf = (r: {
        type: string;
        leg: string;
        payload: { call: { trunk_id: number | null; trunk_name: string | null } };
      }) => `${r.type}:${r.leg} ${r.payload.call.trunk_id} ${r.payload.call.trunk_name}`;
      // before a B-leg exists no trunk is chosen yet; the failed attempt names the dead trunk
      expect(stored.rows.map(trunkOf)).toEqual([
        'pbx.call.started:a null null',
        'pbx.call.ringing:a null null',
        'pbx.call.answered:a null null',
        `pbx.call.leg_ended:b ${dead.id} ${dead.name}`,
        `pbx.call.ringing:b ${trunk.id} ${trunk.name}`,
        `pbx.call.answered:b ${trunk.id} ${trunk.name}`,
        `pbx.call.leg_ended:b ${trunk.id} ${trunk.name}`,
        `pbx.call.leg_ended:a ${trunk.id} ${trunk.name}`,
        `pbx.call.hangup:b ${trunk.id} ${trunk.name}`,
        `pbx.cdr.created:a ${trunk.id} ${trunk.name}`,
      ]);
    }, 60_000);
  });

  describe('refused requests place no call and write no row', () => {
    const callCount = async () => Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n);

    it('409 extension_offline when the agent has no registered phone', async () => {
      const number = uniqueNumber();
      await api.post('/api/pbx/extensions', { number, password: 'offline-pass-1' }).expect(201);
      const before = await callCount();
      const response = await clickToCall({ from_extension: number, to_phone: '0987654321', trunk_id: trunk.id }).expect(
        409,
      );
      expect(response.body.error.code).toBe('extension_offline');
      expect(await callCount()).toBe(before);
    });

    it('a header value that is not valid Unicode (lone surrogate) is 422 even with the phone registered, and places nothing', async () => {
      const { number } = await agent();
      const before = await callCount();
      const calls = peer.calls.length;
      const response = await clickToCall({
        from_extension: number,
        to_phone: '0987654321',
        trunk_id: trunk.id,
        headers: { Ticket: 'T-\ud800' },
      }).expect(422);
      expect(response.body.error.details).toEqual([
        { field: 'headers.Ticket', message: expect.stringMatching(/Unicode/) },
      ]);
      expect(await callCount()).toBe(before);
      expect(peer.calls.length).toBe(calls);
    });

    it.each([
      ['CRLF in a header value', { headers: { Ticket: 'x\r\nX-Evil: 1' } }, 'headers'],
      ['bad header key', { headers: { 'Bad Key': 'x' } }, 'headers'],
      ['header value too long', { headers: { Ticket: 'x'.repeat(201) } }, 'headers'],
      ['to_phone with letters', { to_phone: '09abc' }, 'to_phone'],
      ['to_phone too short', { to_phone: '12' }, 'to_phone'],
      ['unknown extension', { from_extension: '99999999' }, 'from_extension'],
      ['unknown trunk id', { trunk_id: 999999 }, 'trunk_id'],
      ['unknown trunk name', { trunk_id: undefined, trunk_name: 'no-such-trunk' }, 'trunk_name'],
      ['trunk id as string', { trunk_id: '1' }, 'trunk_id'],
      ['caller id not ours', { caller_id: '0999999999' }, 'caller_id'],
      ['no route for the number', { trunk_id: undefined, to_phone: '5550001' }, 'to_phone'],
    ])('%s → 422', async (_name, override, field) => {
      const number = uniqueNumber();
      await api.post('/api/pbx/extensions', { number, password: 'refused-pass-1' }).expect(201);
      const before = await callCount();
      const body = JSON.parse(
        JSON.stringify({ from_extension: number, to_phone: '0987654321', trunk_id: trunk.id, ...override }),
      );
      const response = await clickToCall(body).expect(422);
      expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await callCount()).toBe(before);
    });

    it('an unknown token is refused (401) before anything else', async () => {
      const none = await api.post('/api/pbx/calls/click-to-call', {}, 'pbx_unknown_token_value_123').expect(401);
      expect(none.body.error.code).toBe('unauthorized');
    });
  });

  describe('Idempotency-Key', () => {
    it('a retried request returns the same 202 and places one call; another body with the key is 422', async () => {
      const { number } = await agent();
      peer.setBehavior(`phone-${number}`, { kind: 'ring' });
      const body = { from_extension: number, to_phone: `09${uniqueNumber()}`, trunk_id: trunk.id };
      const key = `retry-${uniqueNumber()}`;
      const token = await api.newToken();
      const first = await clickToCall(body, token).set('Idempotency-Key', key).expect(202);
      const second = await clickToCall(body, token).set('Idempotency-Key', key).expect(202);
      expect(second.body).toEqual(first.body);
      const rows = await db.query('SELECT count(*)::int AS n FROM calls WHERE from_extension = $1', [number]);
      expect(rows.rows[0].n).toBe(1);
      const other = await clickToCall({ ...body, to_phone: '0900000000' }, token)
        .set('Idempotency-Key', key)
        .expect(422);
      expect(other.body.error.code).toBe('idempotency_key_reused');
      await peer.hangupAll();
      await waitStatus(first.body.data.call_uuid, 'ended');
    });
  });
});
