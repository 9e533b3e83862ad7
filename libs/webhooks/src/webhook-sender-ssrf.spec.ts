import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { ResolvedAddress, Resolver } from './target-check';
import { forbiddenAddress } from './target-policy';
import { SendOptions, sendWebhook } from './webhook-sender';
import { SignedHeaders } from './webhook-signing';

/** A JSON POST as the Zorio renderer makes it. */
const postWebhook = (url: string, body: string, signed: SignedHeaders, options: SendOptions) =>
  sendWebhook({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body }, signed, options);

/**
 * The send-time half of the SSRF rule against real local servers, with private networks NOT
 * allowed. The resolver is injected so `crm.test` can mean any address; 127.0.0.2 and 127.0.0.3
 * are distinct loopback addresses that the injected policy treats as public where a test needs a
 * reachable "public" receiver.
 */
describe('postWebhook under the SSRF rule', () => {
  const signed = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };
  const servers: http.Server[] = [];
  const hits: Array<{ server: string; local: string; host?: string; path?: string }> = [];

  /** A receiver on `address` that records which local address each request arrived on. */
  async function receiver(address: string, port = 0): Promise<number> {
    const server = http.createServer((request, response) => {
      hits.push({
        server: address,
        local: request.socket.localAddress ?? '',
        host: request.headers.host,
        path: request.url,
      });
      request.resume();
      request.on('end', () => response.end(`internal ${address} answer`));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, address, resolve));
    return (server.address() as AddressInfo).port;
  }

  /** Answers from `answers` in turn (the last one repeats) and counts the calls. */
  function scriptedResolver(...answers: string[][]): Resolver & { calls: string[] } {
    const calls: string[] = [];
    const resolve = async (host: string): Promise<ResolvedAddress[]> => {
      calls.push(host);
      const addresses = answers[Math.min(calls.length - 1, answers.length - 1)];
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return Object.assign(resolve, { calls });
  }

  const strict = (resolve: Resolver, extra: Partial<SendOptions> = {}): SendOptions => ({
    timeoutMs: 2_000,
    allowPrivateNetworks: false,
    resolve,
    ...extra,
  });
  // 127.0.0.2 and 127.0.0.3 stand for public addresses; everything else as in production
  const treatingAsPublic = (ip: string) => (ip === '127.0.0.2' || ip === '127.0.0.3' ? null : forbiddenAddress(ip));

  beforeEach(() => (hits.length = 0));
  afterAll(async () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  it('refuses a name that resolves to loopback: no request, no excerpt, nothing about the address', async () => {
    const port = await receiver('127.0.0.1');
    const resolve = scriptedResolver(['127.0.0.1']);
    const result = await postWebhook(`http://crm.test:${port}/in`, '{}', signed, strict(resolve));
    expect(result).toEqual({ kind: 'error', error: expect.stringMatching(/^target resolves to a forbidden address/) });
    expect(JSON.stringify(result)).not.toMatch(/127\.0|loopback|internal/);
    expect(resolve.calls).toEqual(['crm.test']);
    expect(hits).toEqual([]);
  });

  it('refuses a name when any one of its addresses is forbidden', async () => {
    const resolve = scriptedResolver(['8.8.8.8', '10.0.0.5']);
    expect(await postWebhook('https://crm.test/in', '{}', signed, strict(resolve))).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/forbidden address/),
    });
    const mapped = scriptedResolver(['::ffff:169.254.169.254']);
    expect(await postWebhook('https://crm.test/in', '{}', signed, strict(mapped))).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/forbidden address/),
    });
  });

  it('checks a literal address again at send time (stored before the rule or while it was off)', async () => {
    const port = await receiver('127.0.0.1');
    const resolve = scriptedResolver(['8.8.8.8']);
    for (const url of [
      `http://127.0.0.1:${port}/in`,
      `http://[::ffff:127.0.0.1]:${port}/in`,
      `http://2130706433:${port}/in`,
    ]) {
      expect(await postWebhook(url, '{}', signed, strict(resolve))).toEqual({
        kind: 'error',
        error: expect.stringMatching(/^target is a forbidden address/),
      });
    }
    expect(resolve.calls).toEqual([]);
    expect(hits).toEqual([]);
  });

  it('resolves once and connects to exactly that address, keeping the name in the Host header', async () => {
    const port = await receiver('127.0.0.2');
    // a second resolution would say 127.0.0.3, where nothing listens on this port
    const resolve = scriptedResolver(['127.0.0.2'], ['127.0.0.3']);
    const result = await postWebhook(
      `http://crm.test:${port}/pinned`,
      '{}',
      signed,
      strict(resolve, { policy: treatingAsPublic }),
    );
    expect(result).toEqual({ kind: 'response', status: 200, body: 'internal 127.0.0.2 answer' });
    expect(resolve.calls).toEqual(['crm.test']);
    expect(hits).toEqual([{ server: '127.0.0.2', local: '127.0.0.2', host: `crm.test:${port}`, path: '/pinned' }]);
  });

  it('refuses a name rebound to loopback even while a kept-alive socket to its old address is pooled', async () => {
    const port = await receiver('127.0.0.2');
    const resolve = scriptedResolver(['127.0.0.2'], ['127.0.0.1']);
    const options = strict(resolve, { policy: treatingAsPublic });
    expect(await postWebhook(`http://rebind.test:${port}/first`, '{}', signed, options)).toMatchObject({
      kind: 'response',
      status: 200,
    });
    expect(await postWebhook(`http://rebind.test:${port}/second`, '{}', signed, options)).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/forbidden address/),
    });
    expect(resolve.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(hits.map((h) => h.path)).toEqual(['/first']);
  });

  it('turns a resolution failure or a hung resolver into an attempt result within the timeout', async () => {
    const missing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    expect(await postWebhook('https://nowhere.test/in', '{}', signed, strict(missing))).toEqual({
      kind: 'error',
      error: 'getaddrinfo ENOTFOUND nowhere.test',
    });
    const empty = scriptedResolver([]);
    expect(await postWebhook('https://empty.test/in', '{}', signed, strict(empty))).toEqual({
      kind: 'error',
      error: 'cannot resolve empty.test: no address',
    });
    const hung: Resolver = () => new Promise(() => undefined);
    expect(await postWebhook('https://slow.test/in', '{}', signed, strict(hung, { timeoutMs: 100 }))).toEqual({
      kind: 'error',
      error: 'timed out after 100 ms',
    });
  });

  it('checks nothing when private networks are allowed', async () => {
    const port = await receiver('127.0.0.1');
    const resolve = scriptedResolver(['8.8.8.8']);
    const result = await postWebhook(`http://127.0.0.1:${port}/open`, '{}', signed, {
      timeoutMs: 2_000,
      allowPrivateNetworks: true,
      resolve,
    });
    expect(result).toEqual({ kind: 'response', status: 200, body: 'internal 127.0.0.1 answer' });
    expect(resolve.calls).toEqual([]);
  });
});
