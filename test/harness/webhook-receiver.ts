import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the receiver does with one request. */
export type Answer = { status: number; body?: string; delayMs?: number } | { hang: true };

export interface ReceivedRequest {
  method: string;
  /** the request target: path and query string */
  path: string;
  /** lower-case header names */
  headers: Record<string, string>;
  body: string;
  /** the status answered, or 'hang' when the request was left without an answer */
  answered: number | 'hang';
  at: number;
}

type Responder = (request: ReceivedRequest, previous: ReceivedRequest[]) => Answer;

/**
 * A CRM stand-in: a real HTTP server on 127.0.0.1 that records every request and answers per
 * path as the test says (200 by default, any status, or no answer at all to force a timeout).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => receiver.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Sets how `path` answers; the responder also sees what that path received before. */
  respond(path: string, answer: Answer | Responder): void {
    this.responders.set(path, typeof answer === 'function' ? answer : () => answer);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async waitFor(
    path: string,
    predicate: (requests: ReceivedRequest[]) => boolean,
    timeoutMs = 15_000,
  ): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.on(path))) {
      if (Date.now() > deadline)
        throw new Error(
          `receiver ${path}: condition not met in ${timeoutMs} ms; got ${this.on(path).length} request(s)`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.on(path);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      const received: ReceivedRequest = {
        method: request.method ?? '',
        path,
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered: 200,
        at: Date.now(),
      };
      const answer: Answer = (this.responders.get(path) ?? (() => ({ status: 200 })))(received, this.on(path));
      if ('hang' in answer) {
        received.answered = 'hang';
        this.hanging.add(response);
        response.on('close', () => this.hanging.delete(response));
      } else {
        received.answered = answer.status;
        const send = () => response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? 'ok');
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      }
      this.requests.push(received);
    });
  }
}
