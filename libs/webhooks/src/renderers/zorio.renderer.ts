import { PbxCallEvent, PbxEvent, PbxExtensionEvent } from '@pbx/call-events';
import { WebhookRenderer } from '../webhook-renderer';
import { jsonbOrderedJson } from './jsonb-order';

/**
 * The native dialect (Zorio): one signed JSON POST per event to the subscription's URL. The
 * body's names and bytes are a contract with receivers: src/__golden__/zorio holds what was
 * sent before renderers existed, and this must keep producing exactly that.
 */
export const zorioRenderer: WebhookRenderer = {
  format: 'zorio',
  sends: (event) => zorioSends(event),
  render: (event, subscription) =>
    zorioSends(event)
      ? [
          {
            method: 'POST',
            url: subscription.url,
            headers: { 'content-type': 'application/json' },
            body: jsonbOrderedJson(zorioBody(event)),
          },
        ]
      : [],
};

/**
 * Zorio's stream is the one click-to-call always had: it drops `started`, `leg_ended` and the
 * far end's ringing (SPEC section 2), and numbers what it sends by the core sequence, so a
 * click-to-call's bodies are what they were before the other directions existed.
 */
export function zorioSends(event: PbxEvent): boolean {
  // the native format's own extension events: only subscriptions that list the type get them
  if (event.type === 'pbx.extension.state_changed') return true;
  if (event.type === 'pbx.call.started' || event.type === 'pbx.call.leg_ended') return false;
  // nor recordings' own events (its cdr.created carries the link of a recorded call)
  if (event.type === 'pbx.recording.ready' || event.type === 'pbx.recording.failed') return false;
  // Zorio has no transfer: neither the transfer nor its new leg's ringing and answer
  if (event.type === 'pbx.call.transferred' || event.transfer) return false;
  return !(event.type === 'pbx.call.ringing' && event.party === 'external');
}

/** The Zorio event object (README, Webhooks); `hangup` and `cdr` only on the events that carry them. */
export function zorioBody(event: PbxEvent): Record<string, unknown> {
  return event.type === 'pbx.extension.state_changed' ? extensionBody(event) : callBody(event);
}

/** pbx.extension.state_changed: the stored record's own shape (the stream sends the same object). */
function extensionBody(event: PbxExtensionEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt,
    extension: {
      number: event.extension.number,
      state: event.extension.state,
      previous_state: event.extension.previousState,
    },
  };
}

function callBody(event: PbxCallEvent): Record<string, unknown> {
  const { call, hangup, cdr } = event;
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt,
    call_uuid: event.callUuid,
    sequence: event.coreSequence,
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
    ...(event.missedReason ? { missed: { reason: event.missedReason } } : {}),
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
            ...(cdr.recordingUrl ? { recording_url: cdr.recordingUrl, recording_status: cdr.recordingStatus } : {}),
          },
        }
      : {}),
  };
}
