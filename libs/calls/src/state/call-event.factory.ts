import { randomUUID } from 'node:crypto';
import { CallEvent, CallEventType, CallFields, CdrFields, HangupFields, Leg } from '@pbx/call-events';
import { Call } from '../persistence/call.entity';

export function callFields(call: Call): CallFields {
  return {
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
  };
}

/** Builds the next event of `call`, taking the next per-call sequence number. */
export function nextEvent(
  call: Call,
  type: CallEventType,
  occurredAt: Date,
  leg: { leg: Leg; uuid: string } | null,
  extra: { hangup?: HangupFields; cdr?: CdrFields } = {},
  newId: () => string = randomUUID,
): CallEvent {
  call.lastSequence += 1;
  return {
    id: newId(),
    type,
    occurred_at: occurredAt.toISOString(),
    call_uuid: call.callUuid,
    sequence: call.lastSequence,
    leg: leg?.leg ?? null,
    leg_uuid: leg?.uuid ?? null,
    call: callFields(call),
    ...extra,
  };
}
