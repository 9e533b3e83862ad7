import * as http from 'node:http';
import * as https from 'node:https';
import { httpExchange } from '@pbx/common';
import { AttemptResult } from './retry-policy';
import { SignedHeaders } from './webhook-signing';

export const RESPONSE_EXCERPT_BYTES = 1024;
export const ERROR_TEXT_CHARS = 500;

// kept-alive connections per receiver: a CRM gets several events per call
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000 }) };

/**
 * One POST. Never throws: a network error or the timeout is an attempt result like any status.
 * Redirects are not followed (a 3xx is a failure the admin sees), and only the first KiB of
 * the answer is read so a chatty receiver cannot hold the worker.
 */
export async function postWebhook(url: string, body: string, signed: SignedHeaders, timeoutMs: number): Promise<AttemptResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    return { kind: 'error', error: `invalid URL: ${(error as Error).message}`.slice(0, ERROR_TEXT_CHARS) };
  }
  try {
    const answer = await httpExchange(target, {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json', 'user-agent': 'pbx-control-plane' },
      body,
      agent: agents[target.protocol as keyof typeof agents],
      timeoutMs,
      maxBodyBytes: RESPONSE_EXCERPT_BYTES,
    });
    // PostgreSQL text cannot hold NUL
    const excerpt = answer.body.replace(/\u0000/g, '');
    return { kind: 'response', status: answer.status, body: excerpt === '' ? null : excerpt };
  } catch (error) {
    return { kind: 'error', error: String((error as Error)?.message ?? error).slice(0, ERROR_TEXT_CHARS) };
  }
}
