import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import WebSocket from 'ws';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { pbxInstanceOf } from './harness/global-setup';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { WebhookReceiver } from './harness/webhook-receiver';
import { startTestWorker, WorkerLog } from './harness/worker';

interface StateEvent {
  id: string;
  type: string;
  occurred_at: string;
  extension: { number: string; state: string; previous_state: string };
}

/**
 * Live extension state (SPEC section 3) on the real Asterisk: a desk phone's registration and
 * calls move its extension through unavailable → idle → ringing → in_call → idle → unavailable,
 * each change exactly once, in GET /api/pbx/extensions/:id, in call_events (no call) and as a
 * webhook to a subscription that lists `pbx.extension.state_changed`.
 */
describe('live extension state (real Asterisk, device state subscriptions)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let receiver: WebhookReceiver;
  let db: Client;
  let subscriptionId: number;
  const workerLog = new WorkerLog();
  const startedAt = Date.now();
  // the backstop re-read is out of the way: a new extension must be seen through the API's NOTIFY
  const ENV = { WEBHOOK_POLL_INTERVAL_MS: '100', EXTENSION_STATE_SYNC_MS: '3600000' };

  beforeAll(async () => {
    api = await startTestApi(ENV);
    worker = await startTestWorker(ENV, workerLog);
    peer = await SipPeer.connect(api.context);
    receiver = await WebhookReceiver.start();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    subscriptionId = (
      await api
        .post('/api/pbx/webhooks', { url: receiver.url('/state'), events: ['pbx.extension.state_changed'] })
        .expect(201)
    ).body.data.id;
    // a subscription to call events only never gets extension events
    await api.post('/api/pbx/webhooks', { url: receiver.url('/calls'), events: ['pbx.call.ringing'] }).expect(201);
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await receiver?.close();
    await worker?.close();
    await api?.close();
  });

  /** Created after the worker started: watched without a restart. */
  async function extension(register: boolean): Promise<{ id: number; number: string }> {
    const number = uniqueNumber();
    const created = await api.post('/api/pbx/extensions', { number, password: phonePassword(number) }).expect(201);
    expect(created.body.data).toMatchObject({ state: 'unavailable', state_changed_at: null });
    if (register) {
      await peer.addPhone(number, phonePassword(number));
      await peer.waitRegistration(number, 'Registered');
    }
    return { id: created.body.data.id, number };
  }

  const hooksOf = (number: string): StateEvent[] =>
    receiver
      .on('/state')
      .filter((r) => r.answered === 200)
      .map((r) => JSON.parse(r.body) as StateEvent)
      .filter((e) => e.extension.number === number);
  const statesOf = (number: string) => hooksOf(number).map((e) => e.extension.state);
  const storedOf = async (number: string) =>
    (
      await db.query(
        `SELECT call_uuid, sequence, type, payload FROM call_events WHERE extension = $1 ORDER BY position`,
        [number],
      )
    ).rows as Array<{ call_uuid: string | null; sequence: number | null; type: string; payload: StateEvent }>;

  /** Waits until the extension is in `state`: as a webhook (the last one) and in the API. */
  async function reaches(ext: { id: number; number: string }, state: string, timeoutMs = 15_000): Promise<void> {
    await waitUntil(() => statesOf(ext.number).at(-1) === state, timeoutMs, `webhook: ${ext.number} ${state}`);
    const view = (await api.get(`/api/pbx/extensions/${ext.id}`).expect(200)).body.data;
    expect(view.state).toBe(state);
    expect(new Date(view.state_changed_at).toISOString()).toBe(hooksOf(ext.number).at(-1)!.occurred_at);
  }

  it('unavailable → idle (registers) → ringing → in_call (answered) → idle (hung up) → unavailable (unregisters), each once', async () => {
    // an agent desktop on the real-time stream sees the same changes
    const { port } = api.app.getHttpServer().address() as { port: number };
    const stream = new WebSocket(`ws://127.0.0.1:${port}/api/pbx/events`, {
      headers: { Authorization: `Bearer ${api.adminToken}` },
    });
    const frames: StateEvent[] = [];
    stream.on('message', (data) => frames.push(JSON.parse(String(data)) as StateEvent));
    await new Promise((resolve) => stream.once('open', resolve));
    const caller = await extension(true);
    const callee = await extension(false);
    await sleep(1_000); // the worker has read it (NOTIFY) and found it unavailable: no event
    expect(statesOf(callee.number)).toEqual([]);

    await peer.addPhone(callee.number, phonePassword(callee.number));
    await peer.waitRegistration(callee.number, 'Registered');
    await reaches(callee, 'idle');

    peer.setBehavior(`phone-${callee.number}`, { kind: 'ring' });
    const placed = await peer.dial(caller.number, callee.number);
    const ringing = await peer.waitForCall((c) => c.exten === `phone-${callee.number}`);
    await reaches(callee, 'ringing');
    await reaches(caller, 'in_call'); // the calling phone is in a call from its first INVITE

    await peer.answer(ringing.channelId);
    await reaches(callee, 'in_call');

    await peer.hangup(placed);
    await reaches(callee, 'idle');
    await reaches(caller, 'idle');

    // the phone un-REGISTERs (expires 0) and goes (the peer drops a removed registration silently)
    await peer.asterisk.cli(`pjsip send unregister reg-${callee.number}`);
    await peer.removePhone(callee.number);
    await reaches(callee, 'unavailable');

    await sleep(1_500); // nothing more comes (no repeat of a state)
    const hooks = hooksOf(callee.number);
    expect(hooks.map((e) => [e.extension.previous_state, e.extension.state])).toEqual([
      ['unavailable', 'idle'],
      ['idle', 'ringing'],
      ['ringing', 'in_call'],
      ['in_call', 'idle'],
      ['idle', 'unavailable'],
    ]);
    expect(new Set(hooks.map((e) => e.id)).size).toBe(hooks.length);
    expect(hooks[0]).toStrictEqual({
      id: expect.any(String),
      type: 'pbx.extension.state_changed',
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      extension: { number: callee.number, state: 'idle', previous_state: 'unavailable' },
    });
    // stored as events without a call, the same objects the webhooks carried, in order
    const stored = await storedOf(callee.number);
    expect(stored.map((r) => [r.call_uuid, r.sequence, r.type])).toEqual(
      hooks.map(() => [null, null, 'pbx.extension.state_changed']),
    );
    expect(stored.map((r) => r.payload)).toEqual(hooks);
    // each change once on the stream too, the same objects
    expect(
      frames.filter((f) => f.type === 'pbx.extension.state_changed' && f.extension.number === callee.number),
    ).toEqual(hooks);
    stream.close();
    // the delivery log names the extension, no call
    const deliveries = (
      await api.get(`/api/pbx/webhooks/${subscriptionId}/deliveries?limit=100`).expect(200)
    ).body.data.filter((d: { extension: string | null }) => d.extension === callee.number);
    expect(deliveries).toHaveLength(5);
    for (const delivery of deliveries)
      expect(delivery).toMatchObject({
        event_type: 'pbx.extension.state_changed',
        call_uuid: null,
        sequence: null,
        status: 'succeeded',
      });
    expect(receiver.on('/calls').some((r) => r.body.includes('pbx.extension.state_changed'))).toBe(false);
    expect(workerLog.errorsSince(startedAt)).toEqual([]);
  });

  it('a disabled extension becomes unavailable; enabled and registered again, idle', async () => {
    const ext = await extension(true);
    await reaches(ext, 'idle');
    await api.patch(`/api/pbx/extensions/${ext.id}`, { status: 'disabled' }).expect(200);
    await reaches(ext, 'unavailable');
    await api.patch(`/api/pbx/extensions/${ext.id}`, { status: 'active' }).expect(200);
    // Asterisk kept the phone's contact (astdb) while the endpoint was disabled: registered again at once
    await reaches(ext, 'idle');
    await sleep(1_500);
    expect(statesOf(ext.number)).toEqual(['idle', 'unavailable', 'idle']);
  });

  it('an Asterisk restart: the subscriptions are renewed (a call still changes the state), and no state is repeated', async () => {
    const [caller, callee] = [await extension(true), await extension(true)];
    await reaches(callee, 'idle');
    await reaches(caller, 'idle');

    const pbx = pbxInstanceOf(api.context);
    await pbx.stop();
    await pbx.start();
    const workerMetrics = async () => (await fetch(`http://127.0.0.1:${api.context.pbx.ariPort + 2}/metrics`)).text();
    await waitUntil(
      async () => (await workerMetrics()).includes('pbx_asterisk_connection_up{link="ari"} 1'),
      20_000,
      "worker's ARI back",
    );
    await waitUntil(async () => (await api.http().get('/health')).status === 200, 20_000, 'API healthy again');
    // the phones' contacts were kept by Asterisk (astdb): they stay registered, nothing changed
    await sleep(2_000);
    expect(statesOf(callee.number)).toEqual(['idle']);

    peer.setBehavior(`phone-${callee.number}`, { kind: 'answer', afterMs: 1_000 });
    const placed = await peer.dial(caller.number, callee.number);
    await reaches(callee, 'ringing');
    await reaches(callee, 'in_call');
    await peer.hangup(placed);
    await reaches(callee, 'idle');
    expect(statesOf(callee.number)).toEqual(['idle', 'ringing', 'in_call', 'idle']);
  });
});
