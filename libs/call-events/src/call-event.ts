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
  'pbx.call.started',
  'pbx.call.ringing',
  'pbx.call.answered',
  'pbx.call.leg_ended',
  'pbx.call.transferred',
  'pbx.call.missed',
  'pbx.call.hangup',
  'pbx.cdr.created',
  'pbx.recording.ready',
  'pbx.recording.failed',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/** Events about an extension rather than a call (SPEC section 3, Live state): no call, no sequence. */
export const EXTENSION_EVENT_TYPES = ['pbx.extension.state_changed'] as const;
export type ExtensionEventType = (typeof EXTENSION_EVENT_TYPES)[number];

/** Every stored event type: what a webhook subscription may list. */
export const PBX_EVENT_TYPES = [...CALL_EVENT_TYPES, ...EXTENSION_EVENT_TYPES] as const;
export type PbxEventType = (typeof PBX_EVENT_TYPES)[number];

/**
 * An extension's live state, from Asterisk's device state (SPEC section 3): `idle` NOT_INUSE,
 * `ringing` RINGING, `in_call` INUSE / BUSY / ONHOLD / RINGINUSE, `unavailable` UNAVAILABLE /
 * INVALID / UNKNOWN.
 */
export const EXTENSION_STATES = ['idle', 'ringing', 'in_call', 'unavailable'] as const;
export type ExtensionState = (typeof EXTENSION_STATES)[number];

export type Leg = 'a' | 'b';

export type Disposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CANCELLED';

export const CALL_DIRECTIONS = ['click_to_call', 'inbound', 'outbound', 'internal'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/** Who a leg is: an extension's phone, or the far end through a trunk. */
export type Party = 'extension' | 'external';

export type MissedReason = 'no_answer' | 'busy' | 'caller_hangup' | 'no_extension_online';

/** The call's own fields, repeated in every event so a CRM needs no lookup. */
export interface CallFields {
  call_uuid: string;
  a_leg_uuid: string;
  /** click-to-call: the first B-leg attempt; other directions: the callee leg that answered */
  b_leg_uuid: string | null;
  /** click-to-call only (null for the other directions) */
  from_extension: string | null;
  to_phone: string | null;
  caller_id: string | null;
  trunk_id: number | null;
  trunk_name: string | null;
  routing_mode: 'direct_gateway' | 'dialplan_default' | null;
  status: string;
  headers: Record<string, string>;
  /** every direction (absent from records stored before directions existed: click-to-call) */
  direction?: CallDirection;
  from_number?: string | null;
  to_number?: string | null;
  did?: string | null;
  extension?: string | null;
}

export interface HangupFields {
  disposition: Disposition;
  /** Q.850 cause code */
  cause: number | null;
  cause_text: string | null;
  /** which side ended the call first: the agent (a), the customer (b), the PBX (system) or the API */
  hangup_by: HangupBy;
}

/** Who ended a call: a leg, the PBX itself, or a request to the API (POST /calls/:uuid/hangup). */
export type HangupBy = Leg | 'system' | 'api';

/** A blind transfer (SPEC section 3): the extension whose leg was released, and the target. */
export interface TransferFields {
  from_extension: string | null;
  to: string;
}

export interface CdrFields {
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration: number;
  billsec: number;
  disposition: Disposition;
  /** a recorded call only: its permanent link, and where its MP3 stands when the CDR is written */
  recording_url?: string;
  recording_status?: 'pending' | 'ready' | 'failed';
}

/** pbx.recording.ready (`duration` in whole seconds) and pbx.recording.failed (`reason`). */
export interface RecordingFields {
  recording_url: string;
  duration?: number;
  reason?: string;
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
  /** the event's number among the call's core events (all but started, leg_ended and external ringing) */
  core_sequence?: number;
  /** ringing, answered, leg_ended: an extension's phone or the far end through a trunk */
  party?: Party;
  /** ringing, answered, leg_ended: the leg's own extension (null for a trunk's leg) */
  leg_extension?: string | null;
  /** leg_ended: why the leg ended */
  leg_hangup?: { cause: number | null; cause_text: string | null };
  /** pbx.call.missed */
  missed?: { reason: MissedReason };
  /** pbx.call.transferred, and the ringing and answered of the transfer's new leg */
  transfer?: TransferFields;
  /** pbx.recording.ready and pbx.recording.failed, after the call's end */
  recording?: RecordingFields;
}

/**
 * One stored extension event (`call_events.payload` of a row with no call and `extension` set):
 * the same outer fields as a call event's record, and the extension instead of the call.
 */
export interface ExtensionEventRecord {
  id: string;
  type: ExtensionEventType;
  occurred_at: string;
  extension: { number: string; state: ExtensionState; previous_state: ExtensionState };
}

/** Whatever call_events.payload holds. */
export type StoredEventRecord = CallEventRecord | ExtensionEventRecord;

export function isExtensionEventRecord(record: StoredEventRecord): record is ExtensionEventRecord {
  return (EXTENSION_EVENT_TYPES as readonly string[]).includes(record.type);
}

/** The record's former name: libs/calls and the tests build records under it. */
export type CallEvent = CallEventRecord;

/**
 * Where the call funnel (and the extension state watcher) hands each stored event, inside the same database transaction
 * (the webhook outbox provides it).
 */
export interface CallEventSink {
  enqueue(manager: import('typeorm').EntityManager, event: StoredEventRecord): Promise<void>;
}
export const CALL_EVENT_SINK = Symbol('CALL_EVENT_SINK');

/** NOTIFY channel raised by every transaction that stores events (the real-time stream wakes on it). */
export const EVENTS_CHANNEL = 'pbx_events';
