import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CallEventSink, isExtensionEventRecord, pbxEventFromRecord, StoredEventRecord } from '@pbx/call-events';
import { preparedQuery } from '@pbx/database';
import { silentFormats } from './renderers';

export const DELIVERIES_CHANNEL = 'pbx_webhook_deliveries';

/**
 * The producer side of the outbox. The call funnel calls `enqueue` inside the transaction that
 * stores the event, so deliveries exist exactly when the event does: a rolled-back change
 * sends nothing, a committed one is never lost.
 */
@Injectable()
export class WebhookOutbox implements CallEventSink {
  async enqueue(manager: EntityManager, event: StoredEventRecord): Promise<void> {
    // One row per subscription: the event's first request (request_index 0). Rendering happens
    // at send time, so how many requests the event makes is not known here; the rows of any
    // further requests are written when this one succeeds (WebhookDeliveryStore.record).
    // An earlier event of this call already given up for a subscription means this one would
    // overtake it: it is stored as skipped (redeliverable) instead. ON CONFLICT makes a
    // repeated enqueue of the same event harmless.
    // A subscription whose format never sends this event (Zorio drops started, leg_ended and
    // the far end's ringing) gets no row.
    // An extension event has no call: no call_uuid, no sequence, its extension instead (its
    // line is the subscription's events of that extension, see WebhookDeliveryStore.claim).
    // NOTIFY is transactional: dispatchers wake at commit, never for a rollback. It rides in the
    // same statement as the insert (one round trip), and only when a delivery was written.
    await preparedQuery(
      manager,
      `WITH inserted AS (
         INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, call_uuid, sequence, extension, status)
         SELECT s.id, $1::uuid, $2::varchar, $3::uuid, $4::integer, $6::varchar,
                CASE WHEN EXISTS (
                  SELECT 1 FROM webhook_deliveries p
                   WHERE p.subscription_id = s.id AND p.call_uuid = $3::uuid AND p.sequence < $4::integer AND p.status IN ('failed', 'skipped')
                ) THEN 'skipped' ELSE 'pending' END
           FROM webhook_subscriptions s
          WHERE s.active AND $2::text = ANY (s.events) AND NOT (s.format = ANY ($5::text[]))
         ON CONFLICT ON CONSTRAINT uq_webhook_deliveries_request DO NOTHING
         RETURNING id
       )
       SELECT pg_notify('${DELIVERIES_CHANNEL}', '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_inserted`,
      isExtensionEventRecord(event)
        ? [event.id, event.type, null, null, silentFormats(pbxEventFromRecord(event)), event.extension.number]
        : [event.id, event.type, event.call_uuid, event.sequence, silentFormats(pbxEventFromRecord(event)), null],
    );
  }
}
