import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { RESPONSE_EXCERPT_BYTES, SendOptions, sendWebhook } from './webhook-sender';
import { SignedHeaders } from './webhook-signing';

/** A JSON POST as the Zorio renderer makes it. */
const postWebhook = (url: string, body: string, signed: SignedHeaders, options: SendOptions) =>
  sendWebhook({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body }, signed, options);

/** postWebhook against a real local HTTP server: it never throws, whatever the receiver does. */
describe('postWebhook', () => {
  let server: http.Server;
  let base = '';
  const received: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  // private networks allowed: these tests are about HTTP, the SSRF rule has its own spec
  const open = (timeoutMs: number) => ({ timeoutMs, allowPrivateNetworks: true });
  const signed = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (request.url?.startsWith('/ok')) return response.end('thanks');
        if (request.url === '/chatty') return response.end('x'.repeat(100_000));
        if (request.url === '/redirect') return response.writeHead(302, { Location: '/ok' }).end();
        if (request.url === '/slow') return setTimeout(() => response.end('late'), 1_000);
        response.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the signed JSON body and returns the status and an excerpt of the answer', async () => {
    expect(await postWebhook(`${base}/ok`, '{"a":1}', signed, open(2_000))).toEqual({
      kind: 'response',
      status: 200,
      body: 'thanks',
    });
    const last = received[received.length - 1];
    expect(last.body).toBe('{"a":1}');
    expect(last.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'user-agent': 'pbx-control-plane',
    });
  });

  it('sends any rendered request: a GET with its query and no body, a PUT of exact UTF-8 bytes', async () => {
    const get = await sendWebhook(
      {
        method: 'GET',
        url: `${base}/ok?phone=0987&name=%C3%81`,
        headers: {},
        body: null,
        awaitReply: { deadlineMs: 2000 },
      },
      signed,
      open(2_000),
    );
    expect(get).toEqual({ kind: 'response', status: 200, body: 'thanks' });
    const sentGet = received[received.length - 1];
    expect(sentGet).toMatchObject({ method: 'GET', url: '/ok?phone=0987&name=%C3%81', body: '' });
    expect(sentGet.headers).not.toHaveProperty('content-length');
    expect(sentGet.headers).not.toHaveProperty('content-type');
    expect(sentGet.headers['webhook-id']).toBe('msg_1');

    const form = '--b\r\nContent-Disposition: form-data; name="caller"\r\n\r\nNguyễn\r\n--b--\r\n';
    await sendWebhook(
      { method: 'PUT', url: `${base}/ok`, headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: form },
      signed,
      open(2_000),
    );
    const sentPut = received[received.length - 1];
    expect(sentPut).toMatchObject({ method: 'PUT', body: form });
    expect(sentPut.headers).toMatchObject({
      'content-type': 'multipart/form-data; boundary=b',
      'content-length': String(Buffer.byteLength(form)),
    });
  });

  it('keeps the signature, user-agent, host and length its own, whatever a renderer puts in its headers', async () => {
    const headers = {
      'Webhook-Id': 'forged',
      'user-agent': 'other',
      Host: 'evil.example',
      'content-length': '1',
      'x-api-key': 'k',
    };
    await sendWebhook({ method: 'POST', url: `${base}/ok`, headers, body: '{}' }, signed, open(2_000));
    const last = received[received.length - 1];
    expect(last.headers).toMatchObject({
      'webhook-id': 'msg_1',
      'user-agent': 'pbx-control-plane',
      host: base.slice('http://'.length),
      'content-length': '2',
      'x-api-key': 'k',
    });
  });

  it('reads only the first KiB of a long answer', async () => {
    const result = await postWebhook(`${base}/chatty`, '{}', signed, open(2_000));
    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect((result as { body: string }).body.length).toBe(RESPONSE_EXCERPT_BYTES);
  });

  it('does not follow redirects', async () => {
    expect(await postWebhook(`${base}/redirect`, '{}', signed, open(2_000))).toMatchObject({
      kind: 'response',
      status: 302,
    });
  });

  it('turns a timeout, a refused connection and a bad URL into results, never a throw', async () => {
    expect(await postWebhook(`${base}/slow`, '{}', signed, open(100))).toEqual({
      kind: 'error',
      error: 'timed out after 100 ms',
    });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await postWebhook(`http://127.0.0.1:${port}/x`, '{}', signed, open(2_000))).toEqual({
      kind: 'error',
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(await postWebhook('not a url', '{}', signed, open(2_000))).toEqual({
      kind: 'error',
      error: expect.stringContaining('invalid URL'),
    });
  });
});
