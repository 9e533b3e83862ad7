import { webhookId } from './outbound-request';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookSubscription } from './webhook-subscription.entity';

/** What the API shows: snake_case, and never the secret itself. */
export type WebhookView = ReturnType<typeof webhookView>;
export type DeliveryView = ReturnType<typeof deliveryView>;
export type AttemptView = ReturnType<typeof attemptView>;

export function webhookView(subscription: WebhookSubscription) {
  return {
    id: subscription.id,
    url: subscription.url,
    events: subscription.events,
    active: subscription.active,
    format: subscription.format,
    secret_prefix: subscription.secretPrefix,
    disabled_reason: subscription.disabledReason,
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
  };
}

export function deliveryView(delivery: WebhookDelivery, attempts: AttemptView[]) {
  return {
    id: delivery.id,
    subscription_id: delivery.subscriptionId,
    event_id: delivery.eventId,
    request_index: delivery.requestIndex,
    webhook_id: webhookId(delivery.eventId, delivery.requestIndex),
    event_type: delivery.eventType,
    call_uuid: delivery.callUuid,
    sequence: delivery.sequence,
    extension: delivery.extension,
    status: delivery.status,
    attempt_count: delivery.attemptCount,
    next_attempt_at: delivery.status === 'pending' ? delivery.nextAttemptAt : null,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    created_at: delivery.createdAt,
    completed_at: delivery.completedAt,
    attempts,
  };
}

export function attemptView(attempt: WebhookAttempt) {
  return {
    attempt: attempt.attempt,
    started_at: attempt.startedAt,
    duration_ms: attempt.durationMs,
    response_status: attempt.responseStatus,
    error: attempt.error,
    response_body: attempt.responseBody,
  };
}
