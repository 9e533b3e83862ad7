import { randomUUID } from 'node:crypto';
import { CallEvent, CallEventType, CallFields, Leg } from '@pbx/call-events';
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
    direction: call.direction,
    from_number: call.fromNumber,
    to_number: call.toNumber,
    did: call.did,
    extension: call.extension,
  };
}

/** What an event may carry beside the call (see CallEventRecord). */
export type EventExtra = Pick<
  CallEvent,
  'hangup' | 'cdr' | 'party' | 'leg_extension' | 'leg_hangup' | 'missed' | 'transfer' | 'recording'
>;

/** Not core: the events a click-to-call did not have before every direction and transfers existed. */
function isCore(type: CallEventType, extra: EventExtra): boolean {
  if (type === 'pbx.call.started' || type === 'pbx.call.leg_ended') return false;
  if (type === 'pbx.recording.ready' || type === 'pbx.recording.failed') return false;
  if (type === 'pbx.call.transferred' || extra.transfer) return false;
  return !(type === 'pbx.call.ringing' && extra.party === 'external');
}

/** Builds the next event of `call`, taking the next per-call sequence number (and core number). */
export function nextEvent(
  call: Call,
  type: CallEventType,
  occurredAt: Date,
  leg: { leg: Leg; uuid: string } | null,
  extra: EventExtra = {},
  newId: () => string = randomUUID,
): CallEvent {
  call.lastSequence += 1;
  const core = isCore(type, extra);
  if (core) call.lastCoreSequence += 1;
  return {
    id: newId(),
    type,
    occurred_at: occurredAt.toISOString(),
    call_uuid: call.callUuid,
    sequence: call.lastSequence,
    ...(core ? { core_sequence: call.lastCoreSequence } : {}),
    leg: leg?.leg ?? null,
    leg_uuid: leg?.uuid ?? null,
    call: callFields(call),
    ...extra,
  };
}
