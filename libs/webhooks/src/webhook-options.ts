import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig, configDefaults } from '@pbx/config';

/** How the dispatcher sends and retries. */
export interface WebhookOptions {
  /** requests in flight per worker */
  readonly concurrency: number;
  /** per request, connect to last body byte */
  readonly timeoutMs: number;
  /** safety net beside LISTEN/NOTIFY, and what picks up retries that come due */
  readonly pollIntervalMs: number;
  /** first retry delay ceiling; doubles per attempt (full jitter below it) */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** keep retrying until this long after the first attempt, then give up */
  readonly retryWindowMs: number;
  /** skip the SSRF rule (target-policy.ts): on-premises CRMs, tests, local runs */
  readonly allowPrivateNetworks: boolean;
}

/** The WEBHOOK_* defaults of loadConfig (their only copy), for tests that build options by hand. */
export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = configDefaults().webhooks;

export const WEBHOOK_OPTIONS = Symbol('WEBHOOK_OPTIONS');

/** From the validated WEBHOOK_* settings (libs/config); tests may override the provider. */
export function webhookOptionsFrom(config: AppConfig): WebhookOptions {
  return Object.freeze({ ...config.webhooks });
}

export const webhookOptionsProvider: Provider = {
  provide: WEBHOOK_OPTIONS,
  inject: [APP_CONFIG],
  useFactory: webhookOptionsFrom,
};
