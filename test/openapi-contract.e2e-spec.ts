import { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import WebSocket from 'ws';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { OpenApiContract, OpenApiDocument } from './harness/openapi-contract';
import { phonePassword } from './harness/phone-password';
import { SipPeer, waitUntil } from './harness/sip-peer';
import { WebhookReceiver } from './harness/webhook-receiver';
import { TEST_RECORDINGS_DIR } from './harness/test-context';
import { startTestWorker } from './harness/worker';

// quick retries and the shortest retry window, so a delivery to a failing receiver ends `failed`
const FAST_RETRIES = {
  WEBHOOK_BACKOFF_BASE_MS: '100',
  WEBHOOK_BACKOFF_CAP_MS: '300',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_RETRY_WINDOW_MS: '1000',
};

interface SendOptions {
  body?: unknown;
  /** sent as is, with Content-Type: application/json */
  raw?: string;
  /** null: no Authorization header */
  token?: string | null;
  headers?: Record<string, string>;
}

/**
 * The OpenAPI document tells the truth: the API serves the committed docs/openapi.json, and
 * real answers of every operation (successes and the usual errors, a real call included) have a
 * documented status and exactly the documented body.
 */
describe('OpenAPI contract (real answers against docs/openapi.json)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let receiver: WebhookReceiver;
  let contract: OpenApiContract;

  beforeAll(async () => {
    api = await startTestApi(FAST_RETRIES);
    worker = await startTestWorker(FAST_RETRIES);
    peer = await SipPeer.connect(api.context);
    receiver = await WebhookReceiver.start();
    contract = new OpenApiContract((await api.http().get('/docs/openapi.json').expect(200)).body as OpenApiDocument);
  });

  afterAll(async () => {
    await peer?.close();
    await receiver?.close();
    await worker?.close();
    await api?.close();
  });

  /** Sends a request, checks its answer against the document and returns it. */
  async function send(
    method: 'get' | 'post' | 'patch' | 'put' | 'delete',
    url: string,
    options: SendOptions = {},
  ): Promise<request.Response> {
    let test = api.http()[method](url);
    if (options.token !== null) test = test.set('Authorization', `Bearer ${options.token ?? api.adminToken}`);
    if (options.headers) test = test.set(options.headers);
    if (options.raw !== undefined) test = test.set('Content-Type', 'application/json').send(options.raw);
    else if (options.body !== undefined) test = test.send(options.body as object);
    const response = await test;
    const contentType = response.headers['content-type'] as string | undefined;
    const body = contentType?.startsWith('text/plain') ? response.text : response.body;
    expect({
      request: `${method.toUpperCase()} ${url}`,
      problems: contract.check(method, url, response.status, contentType, body),
    }).toEqual({
      request: `${method.toUpperCase()} ${url}`,
      problems: [],
    });
    return response;
  }

  it('serves the committed docs/openapi.json', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'openapi.json'), 'utf8'));
    expect(contract.document).toEqual(committed);
  });

  it('admin resources: answers and errors as documented', async () => {
    const calls = await api.newToken(['calls']);
    const n = uniqueNumber();
    const trunk = (
      await send('post', '/api/pbx/trunks', {
        body: {
          name: `oa-${n}`,
          host: 'sip.example.net',
          inbound_addresses: ['198.51.100.0/28'],
          username: 'u1',
          password: 'secret-1',
        },
      })
    ).body.data;
    await send('get', '/api/pbx/trunks');
    await send('get', `/api/pbx/trunks/${trunk.id}`);
    await send('patch', `/api/pbx/trunks/${trunk.id}`, { body: { port: 5070 } });
    expect((await send('post', '/api/pbx/trunks', { body: { name: `oa-${n}`, host: '198.51.100.1' } })).status).toBe(
      409,
    );

    const extension = (
      await send('post', '/api/pbx/extensions', {
        body: { number: n, password: 'correct-horse-staple', outbound_caller_id: '0281234567' },
      })
    ).body.data;
    // a generated password is part of the documented answer (ExtensionSaved), on create and renumbering
    const generated = (await send('post', '/api/pbx/extensions', { body: { number: `${n}1` } })).body.data;
    expect(generated.password).toEqual(expect.any(String));
    await send('patch', `/api/pbx/extensions/${generated.id}`, { body: { number: `${n}2` } });
    await send('get', '/api/pbx/extensions');
    await send('get', `/api/pbx/extensions/${extension.id}`);
    await send('patch', `/api/pbx/extensions/${extension.id}`, {
      body: { display_name: 'Contract', outbound_caller_id: null },
    });
    expect(
      (await send('post', '/api/pbx/extensions', { body: { number: n, password: 'correct-horse-staple' } })).status,
    ).toBe(409);
    expect((await send('post', '/api/pbx/extensions', { body: { number: 'x', password: 1 } })).status).toBe(422);
    expect((await send('post', '/api/pbx/extensions', { raw: '{"number": ' })).status).toBe(400);
    expect(
      (await send('post', '/api/pbx/extensions', { raw: JSON.stringify({ display_name: 'x'.repeat(70_000) }) })).status,
    ).toBe(413);
    expect((await send('get', '/api/pbx/extensions/999999999')).status).toBe(404);
    expect((await send('get', '/api/pbx/extensions', { token: null })).status).toBe(401);
    expect((await send('get', '/api/pbx/extensions', { token: calls })).status).toBe(403);

    const callerId = (
      await send('post', '/api/pbx/caller-ids', { body: { number: `028${n}`, label: 'Hotline', trunk_id: trunk.id } })
    ).body.data;
    await send('get', '/api/pbx/caller-ids', { token: calls });
    expect((await send('delete', `/api/pbx/trunks/${trunk.id}`)).status).toBe(409);

    const route = (
      await send('post', '/api/pbx/routes', { body: { name: `oa-${n}`, pattern: `7${n}`, trunk_ids: [trunk.id] } })
    ).body.data;
    await send('get', '/api/pbx/routes');
    await send('get', `/api/pbx/routes/${route.id}`);
    await send('patch', `/api/pbx/routes/${route.id}`, { body: { strip: 1, prepend: '+84' } });

    // routing: ring groups, inbound routes (a 409 in_use lists its referrers), the dial policy
    const member = (await send('post', '/api/pbx/extensions', { body: { number: `${n}3`, outbound: 'allowed' } })).body
      .data;
    const group = (await send('post', '/api/pbx/ring-groups', { body: { name: `oa-${n}`, members: [member.number] } }))
      .body.data;
    await send('get', '/api/pbx/ring-groups');
    await send('get', `/api/pbx/ring-groups/${group.id}`);
    await send('patch', `/api/pbx/ring-groups/${group.id}`, { body: { strategy: 'sequential', ring_timeout: 20 } });
    expect((await send('post', '/api/pbx/ring-groups', { body: { name: 'x', members: ['99999'] } })).status).toBe(422);
    const inbound = (
      await send('post', '/api/pbx/inbound-routes', {
        body: { did: `+84${n}`, trunk_id: trunk.id, destination: { type: 'ring_group', id: group.id } },
      })
    ).body.data;
    await send('get', '/api/pbx/inbound-routes');
    await send('get', `/api/pbx/inbound-routes/${inbound.id}`);
    await send('patch', `/api/pbx/inbound-routes/${inbound.id}`, {
      body: { destination: { type: 'extension', number: member.number } },
    });
    expect(
      (
        await send('post', '/api/pbx/inbound-routes', {
          body: { did: `84${n}`, trunk_id: trunk.id, destination: { type: 'ring_group', id: group.id } },
        })
      ).status,
    ).toBe(409);
    expect((await send('delete', `/api/pbx/extensions/${member.id}`)).body.error.code).toBe('in_use');
    const policy = (await send('get', '/api/pbx/dial-policy')).body.data;
    await send('put', '/api/pbx/dial-policy', {
      body: { allowed_prefixes: policy.allowed_prefixes, denied_prefixes: policy.denied_prefixes },
    });
    expect((await send('put', '/api/pbx/dial-policy', { body: { allowed_prefixes: ['+84'] } })).status).toBe(422);

    const token = (
      await send('post', '/api/pbx/tokens', {
        body: { name: 'contract', scopes: ['calls'], extensions: [n], trunk_ids: [trunk.id], max_concurrent_calls: 2 },
      })
    ).body.data;
    await send('get', '/api/pbx/tokens');

    for (const url of [
      `/api/pbx/inbound-routes/${inbound.id}`,
      `/api/pbx/ring-groups/${group.id}`,
      `/api/pbx/extensions/${member.id}`,
      `/api/pbx/routes/${route.id}`,
      `/api/pbx/caller-ids/${callerId.id}`,
      `/api/pbx/trunks/${trunk.id}`,
      `/api/pbx/extensions/${extension.id}`,
      `/api/pbx/tokens/${token.id}`,
    ]) {
      expect((await send('delete', url)).status).toBe(204);
    }
  });

  it('a call: click-to-call, the call, its CDR, webhook deliveries and a redelivery', async () => {
    const trunkId = (
      await send('post', '/api/pbx/trunks', {
        body: {
          name: `oa-carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        },
      })
    ).body.data.id;
    const agent = uniqueNumber();
    const password = phonePassword(agent, 'x');
    const extensionId = (await send('post', '/api/pbx/extensions', { body: { number: agent, password } })).body.data.id;
    const offline = await send('post', '/api/pbx/calls/click-to-call', {
      body: { from_extension: agent, to_phone: '0912345678', trunk_id: trunkId },
      token: await api.newToken(),
    });
    expect(offline.body.error?.code).toBe('extension_offline');
    expect(
      (
        await send('post', '/api/pbx/calls/click-to-call', {
          body: { from_extension: '999', to_phone: '0912345678' },
          token: await api.newToken(),
        })
      ).status,
    ).toBe(422);
    await peer.addPhone(agent, password);
    await peer.waitRegistration(agent, 'Registered');
    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${extensionId}`)).body.data.registered === true,
      5_000,
      'registered',
    );

    // the receiver refuses everything: the deliveries fail and can be redelivered
    receiver.respond('/contract', { status: 500 });
    const webhook = (
      await send('post', '/api/pbx/webhooks', {
        body: { url: receiver.url('/contract'), events: ['pbx.call.ringing', 'pbx.call.hangup'] },
      })
    ).body.data;
    await send('get', '/api/pbx/webhooks');
    await send('get', `/api/pbx/webhooks/${webhook.id}`);
    await send('patch', `/api/pbx/webhooks/${webhook.id}`, {
      body: { events: ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'] },
    });

    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${agent}`, { kind: 'answer', afterMs: 100 });
    peer.setBehavior(customer, { kind: 'answer', afterMs: 100 });
    const accepted = await send('post', '/api/pbx/calls/click-to-call', {
      body: { from_extension: agent, to_phone: customer, trunk_id: trunkId, headers: { Ticket: 'T-1' } },
      headers: { 'Idempotency-Key': `contract-${customer}` },
      token: await api.newToken(),
    });
    expect(accepted.status).toBe(202);
    const uuid = accepted.body.data.call_uuid;
    const atCarrier = await peer.waitForCall((c) => c.exten === customer, 15_000);
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

    expect((await send('get', `/api/pbx/calls/${uuid}`)).body.data.legs.length).toBeGreaterThanOrEqual(2);
    expect((await send('get', `/api/pbx/calls/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).status).toBe(404);
    await waitUntil(
      async () => (await api.get(`/api/pbx/cdrs?extension=${agent}`)).body.data.length === 1,
      10_000,
      'the CDR',
    );
    await send('get', `/api/pbx/cdrs?extension=${agent}&limit=1`);
    expect((await send('get', '/api/pbx/cdrs?limit=0')).status).toBe(422);
    await send('get', `/api/pbx/cdrs?direction=click_to_call&phone=%2B${customer}&limit=1`);
    expect((await send('get', `/api/pbx/calls?extension=${agent}&status=ended&limit=1`)).body.data).toHaveLength(1);
    expect((await send('get', '/api/pbx/calls?status=maybe')).status).toBe(422);

    const deliveries = () => api.get(`/api/pbx/webhooks/${webhook.id}/deliveries`);
    await waitUntil(
      async () => (await deliveries()).body.data.some((d: { status: string }) => d.status === 'failed'),
      15_000,
      'a failed delivery',
    );
    const page = (await send('get', `/api/pbx/webhooks/${webhook.id}/deliveries?limit=10`)).body;
    const failed = page.data.find((d: { status: string }) => d.status === 'failed');
    receiver.respond('/contract', { status: 200 });
    expect((await send('post', `/api/pbx/webhooks/${webhook.id}/deliveries/${failed.id}/redeliver`)).status).toBe(202);
    expect((await send('post', `/api/pbx/webhooks/${webhook.id}/deliveries/${failed.id}/redeliver`)).status).toBe(409);
    expect((await send('post', `/api/pbx/webhooks/${webhook.id}/deliveries/999999999/redeliver`)).status).toBe(404);
    expect((await send('delete', `/api/pbx/webhooks/${webhook.id}`)).status).toBe(204);
  });

  it('live control: hold, unhold, recording, transfer and hangup of a real call, and their refusals', async () => {
    const trunkId = (
      await api
        .post('/api/pbx/trunks', {
          name: `oa-live-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data.id;
    const [agent, target] = [uniqueNumber(), uniqueNumber()];
    for (const number of [agent, target]) {
      const password = phonePassword(number, 'x');
      await api.post('/api/pbx/extensions', { number, password }).expect(201);
      await peer.addPhone(number, password);
      await peer.waitRegistration(number, 'Registered');
    }
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${agent}`, { kind: 'answer', afterMs: 100 });
    peer.setBehavior(`phone-${target}`, { kind: 'ring' }); // a second transfer while it rings is 409
    peer.setBehavior(customer, { kind: 'answer', afterMs: 100 });
    const uuid = (
      await api
        .post(
          '/api/pbx/calls/click-to-call',
          { from_extension: agent, to_phone: customer, trunk_id: trunkId },
          await api.newToken(),
        )
        .expect(202)
    ).body.data.call_uuid;
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'answered',
      15_000,
      'answered',
    );
    expect((await send('post', `/api/pbx/calls/${uuid}/hold`, { body: { leg: 'a' } })).status).toBe(202);
    expect((await send('post', `/api/pbx/calls/${uuid}/hold`, { body: { leg: 'c' } })).status).toBe(422);
    expect((await send('post', `/api/pbx/calls/${uuid}/unhold`, { body: { leg: 'a' } })).status).toBe(202);
    expect((await send('post', `/api/pbx/calls/${uuid}/unhold`, { body: {} })).status).toBe(422);
    expect((await send('post', `/api/pbx/calls/${uuid}/recording`, { body: { action: 'stop' } })).status).toBe(409);
    expect((await send('post', `/api/pbx/calls/${uuid}/recording`, { body: { action: 'start' } })).status).toBe(202);
    expect((await send('post', `/api/pbx/calls/${uuid}/recording`, { body: { action: 'x' } })).status).toBe(422);
    expect((await send('post', `/api/pbx/calls/${uuid}/transfer`, { body: { to: 'x' } })).status).toBe(422);
    expect((await send('post', `/api/pbx/calls/${uuid}/transfer`, { body: { to: target } })).status).toBe(202);
    expect((await send('post', `/api/pbx/calls/${uuid}/transfer`, { body: { to: target } })).status).toBe(409);
    expect((await send('post', `/api/pbx/calls/${uuid}/hangup`)).status).toBe(202);
    await waitUntil(
      async () => (await api.get(`/api/pbx/calls/${uuid}`)).body.data.status === 'ended',
      15_000,
      'ended',
    );
    expect((await send('post', `/api/pbx/calls/${uuid}/hangup`)).status).toBe(409);
    const unknown = `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`;
    expect((await send('post', `/api/pbx/calls/${unknown}/hangup`)).status).toBe(404);
  });

  it('SIP bans: the list and lifting one', async () => {
    // there is no API to ban: the worker bans from AMI security events, so a row is put in directly
    const db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO sip_bans (address, failures, expires_at) VALUES ('192.0.2.77', 10, now() + interval '1 hour')
           ON CONFLICT (address) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      );
    } finally {
      await db.end();
    }
    const bans = (await send('get', '/api/pbx/security/bans')).body.data as Array<{ address: string }>;
    expect(bans.some((b) => b.address === '192.0.2.77')).toBe(true);
    expect((await send('delete', '/api/pbx/security/bans/192.0.2.77')).status).toBe(204);
    expect((await send('delete', '/api/pbx/security/bans/192.0.2.77')).status).toBe(404);
  });

  it('health and metrics', async () => {
    await send('get', '/health', { token: null });
    const metrics = await send('get', '/metrics', { token: null });
    expect(metrics.text).toContain('# HELP');
  });

  it('recording links: the MP3, a range, HEAD, 404 and 416', async () => {
    // a ready recording as the worker leaves it: the row, and its file under the apps' RECORDINGS_DIR
    const token = randomBytes(32).toString('base64url');
    const callUuid = randomUUID();
    const mp3 = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), randomBytes(2000)]);
    const db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode, record)
         VALUES ($1, 'ended', $2, $3, '1001', '0901234567', '1001', 'dialplan_default', true)`,
        [callUuid, randomUUID(), randomUUID()],
      );
      await db.query(
        `INSERT INTO recordings (token, call_uuid, status, ready_at, bytes) VALUES ($1, $2, 'ready', now(), $3)`,
        [token, callUuid, mp3.length],
      );
    } finally {
      await db.end();
    }
    mkdirSync(TEST_RECORDINGS_DIR, { recursive: true });
    writeFileSync(join(TEST_RECORDINGS_DIR, `${token}.mp3`), mp3);
    const bytes = (response: request.Response, done: (error: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    };
    const check = async (method: 'get' | 'head', url: string, range?: string) => {
      let test = api.http()[method](url);
      if (range) test = test.set('Range', range);
      const response = method === 'get' ? await test.buffer(true).parse(bytes) : await test;
      const contentType = response.headers['content-type'] as string | undefined;
      const body =
        Buffer.isBuffer(response.body) && contentType?.startsWith('application/json')
          ? (JSON.parse(response.body.toString()) as unknown)
          : (response.body as unknown);
      expect({
        request: `${method.toUpperCase()} ${url} ${range ?? ''}`,
        problems: contract.check(method, url, response.status, contentType, body),
      }).toEqual({ request: `${method.toUpperCase()} ${url} ${range ?? ''}`, problems: [] });
      return response;
    };
    const link = `/recordings/${token}.mp3`;
    expect(Buffer.compare((await check('get', link)).body as Buffer, mp3)).toBe(0);
    expect((await check('get', link, 'bytes=-100')).status).toBe(206);
    expect((await check('get', link, `bytes=${mp3.length}-`)).status).toBe(416);
    expect((await check('head', link)).status).toBe(200);
    expect((await check('get', `/recordings/${randomBytes(32).toString('base64url')}.mp3`)).status).toBe(404);
    expect((await check('head', '/recordings/nope.mp3')).status).toBe(404);
  });

  it('the event stream: the upgrade (101) and a plain GET (422) as documented', async () => {
    const { port } = api.app.getHttpServer().address() as { port: number };
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/pbx/events`, {
        headers: { Authorization: `Bearer ${api.adminToken}` },
      });
      ws.once('upgrade', (response) => {
        resolve(response.statusCode ?? 0);
        ws.close();
      });
      ws.once('error', reject);
    });
    expect(contract.check('get', '/api/pbx/events', status, undefined, undefined)).toEqual([]);
    expect((await send('get', '/api/pbx/events')).status).toBe(422);
    expect((await send('get', '/api/pbx/events', { token: null })).status).toBe(401);
  });

  it('checked a real success answer of every documented operation', () => {
    expect(contract.uncheckedSuccesses()).toEqual([]);
  });
});
