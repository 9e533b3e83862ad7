import { PbxEventType } from '@pbx/call-events';

/** Optional hook for metrics (bind WEBHOOK_METRICS to feed a Prometheus counter/histogram). */
export interface WebhookMetrics {
  attempt(sample: {
    subscriptionId: number;
    eventType: PbxEventType;
    outcome: 'succeeded' | 'retry' | 'failed';
    durationMs: number;
  }): void;
}

export const WEBHOOK_METRICS = Symbol('WEBHOOK_METRICS');
