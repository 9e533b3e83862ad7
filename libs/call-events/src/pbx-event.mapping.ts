import {
  CALL_EVENT_TYPES,
  CallEventRecord,
  CallFields,
  CdrFields,
  EXTENSION_STATES,
  ExtensionEventRecord,
  HangupFields,
  isExtensionEventRecord,
  StoredEventRecord,
} from './call-event';
import { PbxCall, PbxCallEvent, PbxCdr, PbxEvent, PbxExtensionEvent, PbxHangup } from './pbx-event';

/**
 * Reads a stored record (call_events.payload) as a PbxEvent. Throws on a payload that is not a
 * call event record, so the delivery fails with a clear error instead of sending half a body.
 */
export function pbxEventFromRecord(record: CallEventRecord): PbxCallEvent;
export function pbxEventFromRecord(record: StoredEventRecord): PbxEvent;
export function pbxEventFromRecord(record: StoredEventRecord): PbxEvent {
  if (record && typeof record === 'object' && isExtensionEventRecord(record)) return extensionEventFrom(record);
  return callEventFrom(record);
}

function extensionEventFrom(record: ExtensionEventRecord): PbxExtensionEvent {
  const e = record.extension as Partial<ExtensionEventRecord['extension']> | undefined;
  if (
    typeof record.id !== 'string' ||
    typeof e?.number !== 'string' ||
    !EXTENSION_STATES.includes(e.state as never) ||
    !EXTENSION_STATES.includes(e.previous_state as never)
  )
    throw new Error(`stored event ${String(record.id ?? '?')} is not an extension event record`);
  return {
    id: record.id,
    type: record.type,
    occurredAt: record.occurred_at,
    extension: { number: e.number, state: e.state!, previousState: e.previous_state! },
  };
}

function callEventFrom(record: CallEventRecord): PbxCallEvent {
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
    coreSequence: record.core_sequence ?? record.sequence,
    leg: record.leg,
    legUuid: record.leg_uuid,
    call: callFrom(record.call),
    hangup: record.hangup ? hangupFrom(record.hangup) : null,
    cdr: record.cdr ? cdrFrom(record.cdr) : null,
    party: record.party ?? null,
    legExtension: record.leg_extension ?? null,
    legHangup: record.leg_hangup ? { cause: record.leg_hangup.cause, causeText: record.leg_hangup.cause_text } : null,
    missedReason: record.missed?.reason ?? null,
    transfer: record.transfer ? { fromExtension: record.transfer.from_extension, to: record.transfer.to } : null,
    recording: record.recording
      ? {
          url: record.recording.recording_url,
          duration: record.recording.duration ?? null,
          reason: record.recording.reason ?? null,
        }
      : null,
  };
}

// records stored before directions existed are click-to-calls
const callFrom = (c: CallFields): PbxCall => ({
  callUuid: c.call_uuid,
  direction: c.direction ?? 'click_to_call',
  fromNumber: c.from_number !== undefined ? c.from_number : c.from_extension,
  toNumber: c.to_number !== undefined ? c.to_number : c.to_phone,
  did: c.did ?? null,
  extension: c.extension !== undefined ? c.extension : c.from_extension,
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
  ...(c.recording_url ? { recordingUrl: c.recording_url, recordingStatus: c.recording_status ?? 'pending' } : {}),
});

function recordProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return 'not an object';
  const r = record as Partial<CallEventRecord>;
  if (typeof r.id !== 'string') return 'no id';
  if (!CALL_EVENT_TYPES.includes(r.type as never)) return `unknown type ${JSON.stringify(r.type)}`;
  if (typeof r.call !== 'object' || r.call === null) return 'no call';
  return null;
}
