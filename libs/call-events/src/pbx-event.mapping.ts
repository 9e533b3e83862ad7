import { CALL_EVENT_TYPES, CallEventRecord, CallFields, CdrFields, HangupFields } from './call-event';
import { PbxCall, PbxCdr, PbxEvent, PbxHangup } from './pbx-event';

/**
 * Reads a stored record (call_events.payload) as a PbxEvent. Throws on a payload that is not a
 * call event record, so the delivery fails with a clear error instead of sending half a body.
 */
export function pbxEventFromRecord(record: CallEventRecord): PbxEvent {
  const problem = recordProblem(record);
  if (problem)
    throw new Error(
      `stored event ${String((record as Partial<CallEventRecord> | null)?.id ?? '?')} is not a call event record: ${problem}`,
    );
  return {
    id: record.id,
    type: record.type,
    occurredAt: record.occurred_at,
    callUuid: record.call_uuid,
    sequence: record.sequence,
    leg: record.leg,
    legUuid: record.leg_uuid,
    call: callFrom(record.call),
    hangup: record.hangup ? hangupFrom(record.hangup) : null,
    cdr: record.cdr ? cdrFrom(record.cdr) : null,
  };
}

const callFrom = (c: CallFields): PbxCall => ({
  callUuid: c.call_uuid,
  aLegUuid: c.a_leg_uuid,
  bLegUuid: c.b_leg_uuid,
  fromExtension: c.from_extension,
  toPhone: c.to_phone,
  callerId: c.caller_id,
  trunkId: c.trunk_id,
  trunkName: c.trunk_name,
  routingMode: c.routing_mode,
  status: c.status,
  headers: c.headers,
});

const hangupFrom = (h: HangupFields): PbxHangup => ({
  disposition: h.disposition,
  cause: h.cause,
  causeText: h.cause_text,
  by: h.hangup_by,
});

const cdrFrom = (c: CdrFields): PbxCdr => ({
  startedAt: c.started_at,
  answeredAt: c.answered_at,
  endedAt: c.ended_at,
  duration: c.duration,
  billsec: c.billsec,
  disposition: c.disposition,
});

function recordProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return 'not an object';
  const r = record as Partial<CallEventRecord>;
  if (typeof r.id !== 'string') return 'no id';
  if (!CALL_EVENT_TYPES.includes(r.type as never)) return `unknown type ${JSON.stringify(r.type)}`;
  if (typeof r.call !== 'object' || r.call === null) return 'no call';
  return null;
}
