import * as http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { httpExchange } from './http-exchange';

/** Against a real local server that drops a kept-alive connection on its second request. */
describe('httpExchange', () => {
  let server: http.Server;
  let url: URL;
  const requestsPerSocket = new Map<Socket, number>();
  let answered = 0;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const count = (requestsPerSocket.get(request.socket) ?? 0) + 1;
      requestsPerSocket.set(request.socket, count);
      // what a server closing an idle connection looks like to a client that just reused it
      if (count > 1) return request.socket.destroy();
      answered++;
      response.end(JSON.stringify({ answered }));
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends once more on a fresh connection when a reused kept-alive one is reset', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await httpExchange(url, { method: 'GET', agent, timeoutMs: 2_000 })).toEqual({
        status: 200,
        body: '{"answered":1}',
      });
      expect(await httpExchange(url, { method: 'GET', agent, timeoutMs: 2_000 })).toEqual({
        status: 200,
        body: '{"answered":2}',
      });
      expect(requestsPerSocket.size).toBe(2);
    } finally {
      agent.destroy();
    }
  });

  it('does not resend on a fresh connection that fails', async () => {
    const before = answered;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      httpExchange(new URL(`http://127.0.0.1:${port}/`), { method: 'GET', timeoutMs: 2_000 }),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(answered).toBe(before);
  });
});
