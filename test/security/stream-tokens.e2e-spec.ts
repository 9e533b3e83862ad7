import { INestApplicationContext } from '@nestjs/common';
import WebSocket from 'ws';
import { startTestApi, TestApi, uniqueNumber } from '../harness/api';
import { phonePassword } from '../harness/phone-password';
import { SipPeer, waitUntil } from '../harness/sip-peer';
import { startTestWorker } from '../harness/worker';

interface Frame {
  id: string;
  call_uuid: string | null;
}

/**
 * The stream under a limited token (SPEC section 5: limits apply to the stream): a `calls`
 * token limited to one extension sees that extension's calls and nothing of the others, while
 * an admin stream open at the same time sees both.
 */
describe('stream with a limited token (real API, worker, Asterisk)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let trunkId: number;
  const agents: string[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startTestWorker();
    peer = await SipPeer.connect(api.context);
    trunkId = (
      await api
        .post('/api/pbx/trunks', {
          name: `stream-lim-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data.id;
    for (let i = 0; i < 2; i++) {
      const number = uniqueNumber();
      const password = phonePassword(number, 'x');
      await api.post('/api/pbx/extensions', { number, password }).expect(201);
      await peer.addPhone(number, password);
      await peer.waitRegistration(number, 'Registered');
      peer.setBehavior(`phone-${number}`, { kind: 'answer', afterMs: 50 });
      agents.push(number);
    }
  });

  afterAll(async () => {
    await peer?.close();
    await worker?.close();
    await api?.close();
  });

  function open(token: string): { frames: Frame[]; ws: WebSocket; opened: Promise<unknown> } {
    const { port } = api.app.getHttpServer().address() as { port: number };
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/pbx/events`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const frames: Frame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    return { frames, ws, opened: new Promise((resolve) => ws.once('open', resolve)) };
  }

  async function call(from: string): Promise<string> {
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(customer, { kind: 'answer', afterMs: 100, hangupAfterMs: 300 });
    const response = await api
      .post('/api/pbx/calls/click-to-call', { from_extension: from, to_phone: customer, trunk_id: trunkId })
      .expect(202);
    return response.body.data.call_uuid as string;
  }

  it("a token limited to one extension streams that extension's calls only; admin streams both", async () => {
    const created = await api
      .post('/api/pbx/tokens', { name: 'stream-limited', scopes: ['calls'], extensions: [agents[0]] })
      .expect(201);
    const limited = open(created.body.data.token as string);
    const admin = open(api.adminToken);
    await Promise.all([limited.opened, admin.opened]);

    const mine = await call(agents[0]);
    const other = await call(agents[1]);
    const ended = async (uuid: string) => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'ended';
    await waitUntil(async () => (await ended(mine)) && (await ended(other)), 20_000, 'both calls ended');
    const cdrOf = (frames: Frame[], uuid: string) =>
      frames.some((f) => f.call_uuid === uuid && (f as { type?: string }).type === 'pbx.cdr.created');
    await waitUntil(
      async () => cdrOf(admin.frames, mine) && cdrOf(admin.frames, other) && cdrOf(limited.frames, mine),
      10_000,
      'the CDR events streamed',
    );

    const stored = async (uuid: string) =>
      ((await api.get(`/api/pbx/calls/${uuid}`)).body.data.events as Frame[]).map((e) => e.id);
    expect(limited.frames.filter((f) => f.call_uuid === mine).map((f) => f.id)).toEqual(await stored(mine));
    expect(limited.frames.filter((f) => f.call_uuid === other)).toEqual([]);
    expect(admin.frames.filter((f) => f.call_uuid === other).map((f) => f.id)).toEqual(await stored(other));
    limited.ws.close();
    admin.ws.close();
  });
});
