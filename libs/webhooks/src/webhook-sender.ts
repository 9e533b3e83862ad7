import { AttemptResult } from './retry-policy';
import { SignedHeaders } from './webhook-signing';

export const RESPONSE_EXCERPT_BYTES = 1024;
export const ERROR_TEXT_CHARS = 500;

/**
 * One POST. Never throws: a network error or the timeout is an attempt result like any status.
 * Redirects are not followed (a 3xx is a failure the admin sees), and only the first KiB of
 * the answer is read so a chatty receiver cannot hold the worker.
 */
export async function postWebhook(url: string, body: string, signed: SignedHeaders, timeoutMs: number): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal,
      headers: { ...signed, 'content-type': 'application/json', 'user-agent': 'pbx-control-plane' },
    });
    return { kind: 'response', status: response.status, body: await excerpt(response) };
  } catch (error) {
    return { kind: 'error', error: describe(error, timeoutMs).slice(0, ERROR_TEXT_CHARS) };
  }
}

async function excerpt(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // the status is what counts; a body cut short by the timeout is just not shown
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // PostgreSQL text cannot hold NUL
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replace(/\u0000/g, '');
  return text === '' ? null : text;
}

function describe(error: unknown, timeoutMs: number): string {
  const named = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (named?.name === 'TimeoutError' || named?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = named?.cause?.code ?? named?.cause?.message;
  return cause ? `${named.message}: ${cause}` : String(named?.message ?? error);
}
