import { PbxEvent } from '@pbx/call-events';
import { WebhookRenderer } from '../webhook-renderer';
import { jsonbOrderedJson } from './jsonb-order';

/**
 * The native dialect (Zorio): one signed JSON POST per event to the subscription's URL. The
 * body's names and bytes are a contract with receivers: src/__golden__/zorio holds what was
 * sent before renderers existed, and this must keep producing exactly that.
 */
export const zorioRenderer: WebhookRenderer = {
  format: 'zorio',
  render: (event, subscription) => [
    {
      method: 'POST',
      url: subscription.url,
      headers: { 'content-type': 'application/json' },
      body: jsonbOrderedJson(zorioBody(event)),
    },
  ],
};

/** The Zorio event object (README, Webhooks); `hangup` and `cdr` only on the events that carry them. */
export function zorioBody(event: PbxEvent): Record<string, unknown> {
  const { call, hangup, cdr } = event;
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt,
    call_uuid: event.callUuid,
    sequence: event.sequence,
    leg: event.leg,
    leg_uuid: event.legUuid,
    call: {
      call_uuid: call.callUuid,
      a_leg_uuid: call.aLegUuid,
      b_leg_uuid: call.bLegUuid,
      from_extension: call.fromExtension,
      to_phone: call.toPhone,
      caller_id: call.callerId,
      trunk_id: call.trunkId,
      trunk_name: call.trunkName,
      routing_mode: call.routingMode,
      status: call.status,
      headers: call.headers,
    },
    ...(hangup
      ? {
          hangup: {
            disposition: hangup.disposition,
            cause: hangup.cause,
            cause_text: hangup.causeText,
            hangup_by: hangup.by,
          },
        }
      : {}),
    ...(cdr
      ? {
          cdr: {
            started_at: cdr.startedAt,
            answered_at: cdr.answeredAt,
            ended_at: cdr.endedAt,
            duration: cdr.duration,
            billsec: cdr.billsec,
            disposition: cdr.disposition,
          },
        }
      : {}),
  };
}
