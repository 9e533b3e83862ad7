import { pbxEventFromRecord } from '@pbx/call-events';
import { OutboundRequest, webhookId } from './outbound-request';
import { rendererFor } from './renderers';
import { ClaimedDelivery } from './webhook-delivery.store';
import { WebhookRenderers } from './webhook-renderer';

/** What one claimed delivery comes to once its event is rendered. */
export type PreparedDelivery =
  /** send `request`, signed with `webhookId`; `requestCount` says whether rows follow it */
  | { kind: 'send'; request: OutboundRequest; webhookId: string; requestCount: number }
  /** the rendering has no request at this index (none at all, or fewer than when the row was made) */
  | { kind: 'nothing'; requestCount: number }
  /** the event cannot be rendered: the attempt fails with this error */
  | { kind: 'unrenderable'; error: string };

/**
 * Renders the delivery's stored event for its subscription and picks the delivery's own
 * request (its request_index). Pure: the dispatcher signs, sends and records.
 */
export function prepareDelivery(
  delivery: Pick<ClaimedDelivery, 'eventId' | 'requestIndex' | 'payload' | 'subscriptionId' | 'url' | 'format'>,
  renderers: WebhookRenderers,
): PreparedDelivery {
  let requests: OutboundRequest[];
  try {
    const event = pbxEventFromRecord(delivery.payload);
    requests = rendererFor(delivery.format, renderers).render(event, {
      id: delivery.subscriptionId,
      url: delivery.url,
      format: delivery.format,
    });
  } catch (error) {
    return { kind: 'unrenderable', error: (error as Error).message };
  }
  const request = requests[delivery.requestIndex];
  if (!request) return { kind: 'nothing', requestCount: requests.length };
  return {
    kind: 'send',
    request,
    webhookId: webhookId(delivery.eventId, delivery.requestIndex),
    requestCount: requests.length,
  };
}
