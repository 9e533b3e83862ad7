import { WebhookOptions } from './webhook-options';

/** What one HTTP attempt came to. */
export type AttemptResult =
  { kind: 'response'; status: number; body: string | null } | { kind: 'error'; error: string };

export type Verdict =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number }
  /** `gone`: the receiver answered 410, so the subscription is turned off */
  | { kind: 'failed'; reason: string; gone: boolean };

type BackoffOptions = Pick<WebhookOptions, 'backoffBaseMs' | 'backoffCapMs'>;

/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential with full
 * jitter, so receivers that come back are not hit by every queued delivery at once.
 */
export function backoffMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.floor(random() * ceiling);
}

/** `elapsedMs`: time since the first attempt of the current retry window, this one included. */
export function judge(
  result: AttemptResult,
  attempt: { number: number; elapsedMs: number },
  options: BackoffOptions & Pick<WebhookOptions, 'retryWindowMs'>,
  random: () => number = Math.random,
): Verdict {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { kind: 'succeeded' };
  if (result.kind === 'response' && result.status === 410)
    return { kind: 'failed', reason: 'receiver answered 410 Gone', gone: true };
  const what = result.kind === 'response' ? `HTTP ${result.status}` : result.error;
  if (attempt.elapsedMs >= options.retryWindowMs) {
    return { kind: 'failed', reason: `gave up after ${attempt.number} attempt(s): ${what}`, gone: false };
  }
  return { kind: 'retry', delayMs: backoffMs(attempt.number, options, random) };
}
