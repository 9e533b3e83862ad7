import * as http from 'node:http';
import * as https from 'node:https';
import { AttemptResult } from './retry-policy';
import { SignedHeaders } from './webhook-signing';

export const RESPONSE_EXCERPT_BYTES = 1024;
export const ERROR_TEXT_CHARS = 500;

// kept-alive connections per receiver: a CRM gets several events per call
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000 }), https: new https.Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000 }) };

/**
 * One POST. Never throws: a network error or the timeout is an attempt result like any status.
 * Redirects are not followed (a 3xx is a failure the admin sees), and only the first KiB of
 * the answer is read so a chatty receiver cannot hold the worker. node:http rather than fetch:
 * this runs for every event and fetch costs several times the CPU.
 */
export function postWebhook(url: string, body: string, signed: SignedHeaders, timeoutMs: number, retried = false): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      return finish({ kind: 'error', error: `invalid URL: ${(error as Error).message}`.slice(0, ERROR_TEXT_CHARS) });
    }
    const secure = target.protocol === 'https:';
    const payload = Buffer.from(body, 'utf8');
    const request = (secure ? https : http).request(target, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: { ...signed, 'content-type': 'application/json', 'content-length': payload.length, 'user-agent': 'pbx-control-plane' },
    });
    // one deadline for the whole exchange: connect, send, status and the excerpt
    timer = setTimeout(() => {
      finish({ kind: 'error', error: `timed out after ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      // the receiver closed an idle kept-alive connection as we reused it: the request never
      // reached it, so it goes once more on a fresh connection rather than waiting for a retry
      if (!retried && !settled && request.reusedSocket && error.code === 'ECONNRESET') {
        settled = true;
        clearTimeout(timer);
        resolve(postWebhook(url, body, signed, timeoutMs, true));
        return;
      }
      finish({ kind: 'error', error: describe(error).slice(0, ERROR_TEXT_CHARS) });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        // PostgreSQL text cannot hold NUL
        const text = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replace(/\u0000/g, '');
        finish({ kind: 'response', status: response.statusCode ?? 0, body: text === '' ? null : text });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_EXCERPT_BYTES) {
          done();
          response.destroy(); // the rest is not read; the connection is not reused
        }
      });
      response.on('end', done);
      // the status is what counts; a body cut short is just not shown whole
      response.on('error', done);
      response.on('aborted', done);
    });
    request.end(payload);
  });
}

function describe(error: unknown): string {
  const named = error as { message?: string; code?: string };
  return String(named?.message ?? error);
}
