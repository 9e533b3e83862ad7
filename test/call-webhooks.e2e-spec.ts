import { CALL_EVENT_TYPES } from '@pbx/call-events';
import { INestApplicationContext } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { cdrTimes, expectBillsec } from './harness/cdr-checks';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { ReceivedRequest, WebhookReceiver } from './harness/webhook-receiver';
import { startTestWorker, WorkerLog } from './harness/worker';

const FAST_RETRIES = {
  WEBHOOK_BACKOFF_BASE_MS: '200',
  WEBHOOK_BACKOFF_CAP_MS: '1000',
  WEBHOOK_POLL_INTERVAL_MS: '100',
};

/**
 * What a CRM receives for real calls: the Zorio webhook sequence, signed per Standard Webhooks,
 * in order, once per event id, through a receiver outage and a worker restart mid-call.
 */
describe('call webhooks (real Asterisk, real HTTP receiver)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let receiver: WebhookReceiver;
  let trunkId: number;
  let agentNumber: string;
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    api = await startTestApi(FAST_RETRIES);
    worker = await startTestWorker(FAST_RETRIES, workerLog);
    peer = await SipPeer.connect(api.context);
    receiver = await WebhookReceiver.start();
    trunkId = (
      await api
        .post('/api/pbx/trunks', {
          name: `wh-carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data.id;
    agentNumber = uniqueNumber();
    const password = phonePassword(agentNumber, 'x');
    await api.post('/api/pbx/extensions', { number: agentNumber, password }).expect(201);
    await peer.addPhone(agentNumber, password);
    await peer.waitRegistration(agentNumber, 'Registered');
    await waitUntil(
      async () =>
        (await api.get('/api/pbx/extensions')).body.data.some(
          (e: { number: string; registered: boolean }) => e.number === agentNumber && e.registered,
        ),
      5_000,
      'registered',
    );
  });

  afterAll(async () => {
    await peer?.close();
    await receiver?.close();
    await worker?.close();
    await api?.close();
  });

  async function subscribe(
    path: string,
    events: string[] = ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'],
  ): Promise<string> {
    const created = await api.post('/api/pbx/webhooks', { url: receiver.url(path), events }).expect(201);
    expect(created.body.data.secret).toMatch(/^whsec_/);
    return created.body.data.secret;
  }

  async function placeAnsweredCall(customerAnswersAfterMs = 100): Promise<{ uuid: string; customer: string }> {
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${agentNumber}`, { kind: 'answer', afterMs: 100 });
    peer.setBehavior(customer, { kind: 'answer', afterMs: customerAnswersAfterMs });
    const response = await api
      .post(
        '/api/pbx/calls/click-to-call',
        { from_extension: agentNumber, to_phone: customer, trunk_id: trunkId },
        await api.newToken(),
      )
      .expect(202);
    return { uuid: response.body.data.call_uuid, customer };
  }

  const eventsOf = (requests: ReceivedRequest[], uuid: string) =>
    requests
      .filter((r) => r.answered === 200)
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.call_uuid === uuid);

  const EXPECTED = [
    'pbx.call.ringing:a',
    'pbx.call.answered:a',
    'pbx.call.answered:b',
    'pbx.call.hangup:b',
    'pbx.cdr.created:a',
  ];

  it('an answered call gives ringing(A) → answered(A) → answered(B) → hangup → cdr.created, signed and verifiable', async () => {
    const since = Date.now();
    const secret = await subscribe('/crm-a');
    const { uuid, customer } = await placeAnsweredCall();
    const atCarrier = await peer.waitForCall((c) => c.exten === customer);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'answered',
      15_000,
      'answered',
    );
    await peer.hangup(atCarrier.channelId);

    const requests = await receiver.waitFor('/crm-a', (r) => eventsOf(r, uuid).length >= 5);
    const events = eventsOf(requests, uuid);
    expect(events.map((e) => `${e.type}:${e.leg}`)).toEqual(EXPECTED);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(events[3].hangup).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'b' });
    expect(events[4].cdr).toMatchObject({ disposition: 'ANSWERED' });
    const webhook = new Webhook(secret);
    for (const request of requests.filter((r) => JSON.parse(r.body).call_uuid === uuid)) {
      expect(() => webhook.verify(request.body, request.headers)).not.toThrow();
      expect(request.headers['webhook-id']).toBe(JSON.parse(request.body).id);
    }
    expect(() =>
      new Webhook('whsec_' + Buffer.from('x'.repeat(24)).toString('base64')).verify(
        requests[0].body,
        requests[0].headers,
      ),
    ).toThrow();
    expect(workerLog.errorsSince(since)).toEqual([]); // a happy path logs no error
  });

  it('a call held 2.5 s: billsec is the talk time from the customer answer to the end, the same in the CDR and pbx.cdr.created', async () => {
    await subscribe('/crm-billsec');
    // the customer rings 1.5 s first, so a billsec counted from the start (or the agent's answer) is off by more than rounding
    const { uuid, customer } = await placeAnsweredCall(1_500);
    const atCarrier = await peer.waitForCall((c) => c.exten === customer);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'answered',
      15_000,
      'answered',
    );
    await sleep(2_500);
    await peer.hangup(atCarrier.channelId);

    const requests = await receiver.waitFor('/crm-billsec', (r) => eventsOf(r, uuid).length >= 5);
    const events = eventsOf(requests, uuid);
    const [answeredB, hangup, created] = [events[2], events[3], events[4]];
    expect([answeredB.type, answeredB.leg, hangup.type, created.type]).toEqual([
      'pbx.call.answered',
      'b',
      'pbx.call.hangup',
      'pbx.cdr.created',
    ]);
    const row = (await api.get(`/api/pbx/cdrs?phone=${customer}`, await api.newToken()).expect(200)).body.data;
    expect(row).toHaveLength(1);
    const cdr = cdrTimes(row[0]);
    expect(created.cdr).toEqual(cdr);
    expect(cdr).toMatchObject({
      disposition: 'ANSWERED',
      answered_at: answeredB.occurred_at,
      ended_at: hangup.occurred_at,
    });
    expect(cdr.billsec).toBeGreaterThanOrEqual(2);
    expectBillsec(cdr);
  });

  it('a CRM gets each stored event as JSON.stringify of its payload, byte for byte (the Zorio format, as before renderers)', async () => {
    // every event type subscribed: Zorio still sends the five it always did, and logs no delivery for the rest
    await subscribe('/crm-bytes', [...CALL_EVENT_TYPES]);
    const { uuid, customer } = await placeAnsweredCall();
    const atCarrier = await peer.waitForCall((c) => c.exten === customer);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'answered',
      15_000,
      'answered',
    );
    await peer.hangup(atCarrier.channelId);

    const requests = await receiver.waitFor('/crm-bytes', (r) => eventsOf(r, uuid).length >= 5);
    const stored: Array<{ id: string; payload: Record<string, unknown> }> = await api.app
      .get(DataSource)
      .query('SELECT id, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [uuid]);
    // Zorio sends the core events (the click-to-call stream it always had), each as the record
    // stored before every direction existed: its version 1 fields, numbered by the core sequence
    const core = stored.filter((e) => e.payload.core_sequence !== undefined);
    expect(core.map((e) => e.payload.type)).toEqual([
      'pbx.call.ringing',
      'pbx.call.answered',
      'pbx.call.answered',
      'pbx.call.hangup',
      'pbx.cdr.created',
    ]);
    const delivered = new Map(requests.filter((r) => r.answered === 200).map((r) => [r.headers['webhook-id'], r.body]));
    expect(delivered.size).toBe(5);
    for (const { id, payload } of core) expect(delivered.get(id)).toBe(JSON.stringify(versionOne(payload)));
    const logged = await api.app
      .get(DataSource)
      .query('SELECT DISTINCT event_id FROM webhook_deliveries WHERE call_uuid = $1 AND event_id = ANY ($2)', [
        uuid,
        stored.map((e) => e.id),
      ]);
    expect(logged.map((r: { event_id: string }) => r.event_id).sort()).toEqual(core.map((e) => e.id).sort());
  });

  it('a receiver that is down for a while then comes back gets every event once per event id, in order', async () => {
    await subscribe('/crm-down');
    let up = false;
    receiver.respond('/crm-down', () => (up ? { status: 200 } : { status: 503 }));
    const { uuid, customer } = await placeAnsweredCall();
    const atCarrier = await peer.waitForCall((c) => c.exten === customer);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'answered',
      15_000,
      'answered',
    );
    await peer.hangup(atCarrier.channelId);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'ended',
      15_000,
      'ended',
    );
    await waitUntil(
      () => receiver.on('/crm-down').filter((r) => r.answered === 503).length >= 3,
      10_000,
      'failed attempts',
    );
    up = true;

    const requests = await receiver.waitFor('/crm-down', (r) => eventsOf(r, uuid).length >= 5, 20_000);
    const delivered = eventsOf(requests, uuid);
    expect(delivered.map((e) => `${e.type}:${e.leg}`)).toEqual(EXPECTED);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(5);
    // retries of one event reuse its webhook-id
    const ids = requests.filter((r) => JSON.parse(r.body).call_uuid === uuid).map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(5);
  });

  it('restarting the worker mid-call loses no event: the live call is re-adopted and ends normally', async () => {
    await subscribe('/crm-restart');
    const { uuid, customer } = await placeAnsweredCall();
    const atCarrier = await peer.waitForCall((c) => c.exten === customer);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'answered',
      15_000,
      'answered',
    );

    await worker.close(); // the worker goes away with the call bridged
    await peer.hangup(atCarrier.channelId); // the customer hangs up meanwhile: nobody ends the agent's leg
    await new Promise((resolve) => setTimeout(resolve, 500));
    worker = await startTestWorker(FAST_RETRIES);

    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'ended',
      20_000,
      'ended after restart',
    );
    const agentLeg = peer.calls.find((c) => c.exten === `phone-${agentNumber}` && c.answered && !c.ended);
    expect(agentLeg).toBeUndefined(); // the agent was hung up by the re-adopting worker
    const requests = await receiver.waitFor('/crm-restart', (r) => eventsOf(r, uuid).length >= 5, 20_000);
    const delivered = eventsOf(requests, uuid);
    expect(delivered.map((e) => e.type)).toEqual([
      'pbx.call.ringing',
      'pbx.call.answered',
      'pbx.call.answered',
      'pbx.call.hangup',
      'pbx.cdr.created',
    ]);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(5);
    const call = (await api.get(`/api/pbx/calls/${uuid}`)).body.data;
    expect(call.disposition).toBe('ANSWERED');
  });
});

/** A stored record as version 1 stored it: without the fields every direction added, numbered by the core sequence. */
function versionOne(payload: Record<string, unknown>): Record<string, unknown> {
  const v1: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (['core_sequence', 'party', 'leg_extension', 'leg_hangup', 'missed'].includes(key)) continue;
    if (key === 'sequence') v1[key] = payload.core_sequence;
    else if (key === 'call') {
      const call: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        if (!['direction', 'from_number', 'to_number', 'did', 'extension'].includes(k)) call[k] = v;
      v1[key] = call;
    } else v1[key] = value;
  }
  return v1;
}
