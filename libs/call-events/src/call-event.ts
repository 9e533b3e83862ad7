/**
 * The call event stream as it is stored: one record per call state change, written to
 * `call_events.payload` in the same transaction as the change (libs/calls builds them).
 *
 * This is a storage format, not a wire format: webhooks read a record through
 * `pbxEventFromRecord` (pbx-event.mapping.ts) as a `PbxEvent`, our own type, and each format's
 * renderer turns that into its requests. The record's snake_case names are those of version 1,
 * which happened to be the Zorio body; rows already written keep them, so they stay.
 */
export const CALL_EVENT_TYPES = [
  'pbx.call.ringing',
  'pbx.call.answered',
  'pbx.call.hangup',
  'pbx.cdr.created',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

export type Leg = 'a' | 'b';

export type Disposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CANCELLED';

/** The call's own fields, repeated in every event so a CRM needs no lookup. */
export interface CallFields {
  call_uuid: string;
  a_leg_uuid: string;
  b_leg_uuid: string;
  from_extension: string;
  to_phone: string;
  caller_id: string;
  trunk_id: number | null;
  trunk_name: string | null;
  routing_mode: 'direct_gateway' | 'dialplan_default';
  status: string;
  headers: Record<string, string>;
}

export interface HangupFields {
  disposition: Disposition;
  /** Q.850 cause code */
  cause: number | null;
  cause_text: string | null;
  /** which side ended the call first: the agent (a), the customer (b) or the PBX (system) */
  hangup_by: Leg | 'system';
}

export interface CdrFields {
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration: number;
  billsec: number;
  disposition: Disposition;
}

/** One stored event, as in call_events.payload. */
export interface CallEventRecord {
  id: string;
  type: CallEventType;
  occurred_at: string;
  call_uuid: string;
  sequence: number;
  leg: Leg | null;
  leg_uuid: string | null;
  call: CallFields;
  hangup?: HangupFields;
  cdr?: CdrFields;
}

/** The record's former name: libs/calls and the tests build records under it. */
export type CallEvent = CallEventRecord;

/**
 * Where the call funnel hands each stored event, inside the same database transaction
 * (the webhook outbox provides it).
 */
export interface CallEventSink {
  enqueue(manager: import('typeorm').EntityManager, event: CallEventRecord): Promise<void>;
}
export const CALL_EVENT_SINK = Symbol('CALL_EVENT_SINK');
