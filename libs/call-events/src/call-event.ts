/**
 * The internal call event stream: one typed event per call state change, stored in
 * `call_events` in the same transaction as the change. Webhook subscriptions render these
 * events in their dialect (the native Zorio JSON first).
 */
export const CALL_EVENT_TYPES = ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'] as const;
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

/** The native (Zorio) event body, exactly as stored in call_events.payload and sent to CRMs. */
export interface CallEvent {
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

/**
 * Where the call funnel hands each stored event, inside the same database transaction
 * (the webhook outbox provides it).
 */
export interface CallEventSink {
  enqueue(manager: import('typeorm').EntityManager, event: CallEvent): Promise<void>;
}
export const CALL_EVENT_SINK = Symbol('CALL_EVENT_SINK');
