import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { SipPeer, waitUntil } from './harness/sip-peer';
import { startTestWorker } from './harness/worker';

interface CallView {
  status: string;
  disposition: string | null;
  hangup_by: string | null;
  hangup_cause: number | null;
  events: Array<{ type: string; leg: string | null; sequence: number }>;
}

/** Click-to-call as a CRM integrator sees it, on the real Asterisk with real SIP peers. */
describe('click-to-call (real Asterisk, SIP phone and carrier)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let trunk: { id: number; name: string };

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startTestWorker();
    peer = await SipPeer.connect(api.context);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    trunk = (await api.post('/api/pbx/trunks', { name: `carrier-${uniqueNumber()}`, host: '127.0.0.1', port: api.context.peer.carrierPort }).expect(201)).body.data;
    await waitUntil(async () => (await api.http().get('/health')).status === 200, 10_000, 'health');
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  async function agent(): Promise<{ id: number; number: string }> {
    const number = uniqueNumber();
    const password = `pw-${number}-secret`;
    const created = await api.post('/api/pbx/extensions', { number, password, display_name: `Agent ${number}` }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    await waitUntil(async () => (await api.get(`/api/pbx/extensions/${created.body.data.id}`)).body.data.registered === true, 5_000, 'registered');
    return { id: created.body.data.id, number };
  }

  const getCall = async (uuid: string): Promise<CallView> => (await api.get(`/api/pbx/calls/${uuid}`).expect(200)).body.data;
  const waitStatus = (uuid: string, status: string, timeoutMs = 15_000) => waitUntil(async () => (await getCall(uuid)).status === status, timeoutMs, `call ${status}`);

  it('answered path: agent rings, answers, customer gets caller id and X- header, bridge, hangup, one CDR', async () => {
    const { number } = await agent();
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${number}`, { kind: 'answer', afterMs: 200 });
    peer.setBehavior(customer, { kind: 'answer', afterMs: 200 });

    const response = await api.post('/api/pbx/calls/click-to-call', { from_extension: number, to_phone: customer, trunk_id: trunk.id, headers: { Ticket: 'T-42' } }).expect(202);
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
    await waitStatus(uuid, 'answered');

    await peer.hangup(atCarrier.channelId); // the customer hangs up
    await waitStatus(uuid, 'ended');
    const call = await getCall(uuid);
    expect(call).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'b' });
    expect(call.events.map((e) => `${e.type}:${e.leg}`)).toEqual(['pbx.call.ringing:a', 'pbx.call.answered:a', 'pbx.call.answered:b', 'pbx.call.hangup:b', 'pbx.cdr.created:a']);
    expect(call.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    const cdrs = await db.query('SELECT disposition, billsec, headers, b_answered_at FROM cdrs WHERE call_uuid = $1', [uuid]);
    expect(cdrs.rows).toHaveLength(1);
    expect(cdrs.rows[0]).toMatchObject({ disposition: 'ANSWERED', headers: { Ticket: 'T-42' } });
    expect(cdrs.rows[0].b_answered_at).not.toBeNull();
  });
});
