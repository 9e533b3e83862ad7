import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import WebSocket from 'ws';
import { zorioRenderer } from '@pbx/webhooks';
import { pbxEventFromRecord } from '@pbx/call-events';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { WebhookReceiver } from './harness/webhook-receiver';
import { startTestWorker } from './harness/worker';

interface Frame {
  id: string;
  type: string;
  call_uuid: string | null;
  sequence: number | null;
}

/** A stream client as a browser agent desktop would be: it keeps every frame and how it ended. */
class StreamClient {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private readonly closed: Promise<number>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve((this.closeCode = code))));
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }

  waitClosed(ms: number): Promise<number | undefined> {
    return Promise.race([this.closed, sleep(ms).then(() => undefined)]);
  }
}

/**
 * The real-time stream as a browser agent desktop uses it: a WebSocket on the real API, real
 * calls through the real worker and Asterisk, a real webhook receiver beside it.
 */
describe('real-time stream GET /api/pbx/events (real API, worker, Asterisk)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let receiver: WebhookReceiver;
  let db: Client;
  let trunkId: number;
  let agent: string;

  const streamUrl = (query = '') => {
    const address = api.app.getHttpServer().address() as { port: number };
    return `ws://127.0.0.1:${address.port}/api/pbx/events${query}`;
  };
  const connect = (query = '', token: string | null = api.adminToken) =>
    new StreamClient(
      new WebSocket(streamUrl(query), { headers: token === null ? {} : { Authorization: `Bearer ${token}` } }),
    );

  /** The plain HTTP answer to an upgrade the stream refuses: status and JSON body. */
  function refusal(query: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
    const address = api.app.getHttpServer().address() as { port: number };
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: address.port,
        path: `/api/pbx/events${query}`,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          ...headers,
        },
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        resolve({ status: 101, body: null });
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    api = await startTestApi({ STREAM_MAX_PER_TOKEN: '3', WEBHOOK_POLL_INTERVAL_MS: '100' });
    worker = await startTestWorker({ WEBHOOK_POLL_INTERVAL_MS: '100' });
    peer = await SipPeer.connect(api.context);
    receiver = await WebhookReceiver.start();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    trunkId = (
      await api
        .post('/api/pbx/trunks', {
          name: `stream-carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data.id;
    agent = uniqueNumber();
    const password = phonePassword(agent, 'x');
    await api.post('/api/pbx/extensions', { number: agent, password }).expect(201);
    await peer.addPhone(agent, password);
    await peer.waitRegistration(agent, 'Registered');
    peer.setBehavior(`phone-${agent}`, { kind: 'answer', afterMs: 50 });
  });

  afterAll(async () => {
    await peer?.close();
    await receiver?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  /** A click-to-call the customer answers and ends after a moment. */
  async function placeCall(): Promise<string> {
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(customer, { kind: 'answer', afterMs: 100, hangupAfterMs: 300 + Math.floor(Math.random() * 400) });
    const response = await api
      .post(
        '/api/pbx/calls/click-to-call',
        { from_extension: agent, to_phone: customer, trunk_id: trunkId },
        await api.newToken(),
      )
      .expect(202);
    return response.body.data.call_uuid as string;
  }

  /** The stored events of these calls, in stream order (the writing transaction, then position). */
  async function storedOrder(calls: string[]): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM call_events WHERE call_uuid = ANY ($1::uuid[]) ORDER BY xact_id, position`,
      [calls],
    );
    return rows.map((r) => r.id);
  }

  const endedAll = async (calls: string[]) => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM calls WHERE call_uuid = ANY ($1::uuid[]) AND status = 'ended'`,
      [calls],
    );
    return rows[0].n === calls.length;
  };

  it('refuses before the upgrade with the API error body: no token 401, bad token 401, bad since 422, unknown since 410', async () => {
    expect(await refusal('', {})).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await refusal('', { Authorization: 'Bearer pbx_not_a_real_token_0000000000' })).toMatchObject({
      status: 401,
    });
    expect(await refusal('?access_token=nope', {})).toMatchObject({ status: 401 });
    const auth = { Authorization: `Bearer ${api.adminToken}` };
    expect(await refusal('?since=not-an-id', auth)).toMatchObject({
      status: 422,
      body: { error: { code: 'validation_failed', details: [{ field: 'since' }] } },
    });
    expect(await refusal(`?since=${randomUUID()}`, auth)).toMatchObject({
      status: 410,
      body: { error: { code: 'since_expired' } },
    });
    expect((await refusal('', auth)).status).toBe(101);
    // the token may also come as ?access_token= (a browser cannot set headers on a WebSocket)
    expect((await refusal(`?access_token=${api.adminToken}`, {})).status).toBe(101);
  });

  it('an event older than 24 h cannot be resumed from: 410 before the upgrade', async () => {
    const uuid = await placeCall();
    await waitUntil(() => endedAll([uuid]), 20_000, 'call ended');
    const [first] = await storedOrder([uuid]);
    await db.query(`UPDATE call_events SET occurred_at = now() - interval '25 hours' WHERE id = $1`, [first]);
    const auth = { Authorization: `Bearer ${api.adminToken}` };
    expect(await refusal(`?since=${first}`, auth)).toMatchObject({
      status: 410,
      body: { error: { code: 'since_expired' } },
    });
    const [, second] = await storedOrder([uuid]);
    expect((await refusal(`?since=${second}`, auth)).status).toBe(101);
  });

  it('over STREAM_MAX_PER_TOKEN (3 here) a token gets 429 before the upgrade; closing one frees its place', async () => {
    const token = await api.newToken();
    const open = [connect('', token), connect('', token), connect('', token)];
    await Promise.all(open.map((c) => c.opened));
    const over = await refusal('', { Authorization: `Bearer ${token}` });
    expect(over).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    // another token is not affected
    const other = connect('', await api.newToken());
    await other.opened;
    await open[0].close();
    await waitUntil(
      async () => (await refusal('', { Authorization: `Bearer ${token}` })).status === 101,
      5_000,
      'place freed',
    );
    await Promise.all([...open.slice(1), other].map((c) => c.close()));
  });

  it('a client that drops and resumes with ?since= at least 5 times while calls run gets every event once, in stored order, the same set the webhook receiver got', async () => {
    await api.post('/api/pbx/webhooks', { url: receiver.url('/stream-crm'), events: [...ALL_TYPES] }).expect(201);
    const received: Frame[] = [];
    let client = connect();
    await client.opened;
    const calls: string[] = [];
    let placing = true;
    const placer = (async () => {
      while (placing) {
        calls.push(await placeCall());
        await sleep(300 + Math.random() * 500);
      }
    })();

    let drops = 0;
    while (drops < 6) {
      await sleep(800 + Math.random() * 2_000);
      // drop at a random point: frames that arrived are kept, the rest come after ?since=
      client.ws.terminate();
      await client.waitClosed(2_000);
      received.push(...client.frames);
      drops++;
      const last = received[received.length - 1];
      await sleep(Math.random() * 700);
      client = connect(last ? `?since=${last.id}` : '');
      await client.opened;
    }
    placing = false;
    await placer;
    await waitUntil(() => endedAll(calls), 30_000, 'every call ended');
    const expected = await storedOrder(calls);
    await waitUntil(
      async () => {
        const ids = new Set([...received, ...client.frames].map((f) => f.id));
        return expected.every((id) => ids.has(id));
      },
      15_000,
      'every stored event of the calls streamed',
    );
    await client.close();
    received.push(...client.frames);

    const ours = received.filter((f) => f.call_uuid !== null && calls.includes(f.call_uuid));
    expect(drops).toBeGreaterThanOrEqual(5);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    // no duplicate, nothing missing, in stored order
    expect(new Set(ours.map((f) => f.id)).size).toBe(ours.length);
    expect(ours.map((f) => f.id)).toEqual(expected);
    // each call's frames in its own sequence order
    for (const call of calls) {
      const sequences = ours.filter((f) => f.call_uuid === call).map((f) => f.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => (a ?? 0) - (b ?? 0)));
    }
    // the same set the webhook receiver got (a Zorio subscription: the events that format sends)
    const sent = ours.filter((f) => zorioRenderer.sends?.(pbxEventFromRecord(f as never)) ?? true).map((f) => f.id);
    const hookedIds = () =>
      new Set(
        receiver
          .on('/stream-crm')
          .filter((r) => r.answered === 200)
          .map((r) => String(r.headers['webhook-id']).split('.')[0])
          .filter((id) => expected.includes(id)),
      );
    await receiver.waitFor('/stream-crm', () => hookedIds().size >= sent.length, 20_000);
    expect([...hookedIds()].sort()).toEqual([...sent].sort());
  }, 180_000);
});

const ALL_TYPES = [
  'pbx.call.started',
  'pbx.call.ringing',
  'pbx.call.answered',
  'pbx.call.leg_ended',
  'pbx.call.missed',
  'pbx.call.hangup',
  'pbx.cdr.created',
];
