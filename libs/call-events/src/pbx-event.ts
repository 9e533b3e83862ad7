import {
  CallDirection,
  CallEventType,
  Disposition,
  ExtensionEventType,
  ExtensionState,
  HangupBy,
  Leg,
  MissedReason,
  Party,
} from './call-event';

/**
 * A call event in our own terms: what every webhook renderer reads, whatever dialect it writes.
 * It is built from the stored record at send time (pbxEventFromRecord), so a renderer never
 * depends on how events are stored, and no dialect's field names leak into the others.
 * Times are the stored ISO 8601 UTC strings (milliseconds), so every renderer starts from the
 * same text; a dialect that wants another form (`Y-m-d H:i:s` in the PBX's zone) derives it.
 */
export type PbxEvent = PbxCallEvent | PbxExtensionEvent;

/** An event of a call (every type but the extension's own). */
export interface PbxCallEvent {
  id: string;
  type: CallEventType;
  occurredAt: string;
  callUuid: string;
  /** per call, from 1, in the order the events happened */
  sequence: number;
  /** per call, from 1, counting only the core events (all but started, leg_ended and external ringing) */
  coreSequence: number;
  /** the leg the event is about, when it is about one */
  leg: Leg | null;
  legUuid: string | null;
  /** the call as it was when the event happened */
  call: PbxCall;
  /** on pbx.call.hangup and pbx.cdr.created */
  hangup: PbxHangup | null;
  /** on pbx.cdr.created */
  cdr: PbxCdr | null;
  /** ringing, answered, leg_ended: whose leg (null on other events) */
  party: Party | null;
  /** ringing, answered, leg_ended: the leg's own extension */
  legExtension: string | null;
  /** leg_ended: why the leg ended */
  legHangup: { cause: number | null; causeText: string | null } | null;
  /** pbx.call.missed */
  missedReason: MissedReason | null;
  /** pbx.call.transferred, and the ringing and answered of the transfer's new leg */
  transfer: { fromExtension: string | null; to: string } | null;
  /** pbx.recording.ready (duration in whole seconds) and pbx.recording.failed (reason) */
  recording: { url: string; duration: number | null; reason: string | null } | null;
}

/** pbx.extension.state_changed: an extension's live state changed (no call). */
export interface PbxExtensionEvent {
  id: string;
  type: ExtensionEventType;
  occurredAt: string;
  extension: { number: string; state: ExtensionState; previousState: ExtensionState };
}

export interface PbxCall {
  callUuid: string;
  direction: CallDirection;
  /** SPEC section 2's parties, for every direction */
  fromNumber: string | null;
  toNumber: string | null;
  did: string | null;
  extension: string | null;
  aLegUuid: string;
  bLegUuid: string | null;
  /** click-to-call only */
  fromExtension: string | null;
  toPhone: string | null;
  callerId: string | null;
  trunkId: number | null;
  trunkName: string | null;
  routingMode: 'direct_gateway' | 'dialplan_default' | null;
  status: string;
  /** the click-to-call request's headers (sent to the carrier as X-<name>) */
  headers: Record<string, string>;
}

export interface PbxHangup {
  disposition: Disposition;
  /** Q.850 cause code */
  cause: number | null;
  causeText: string | null;
  /** which side ended the call first: the agent (a), the customer (b), the PBX (system) or the API */
  by: HangupBy;
}

export interface PbxCdr {
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  /** seconds from the request to the end */
  duration: number;
  /** seconds from the customer's answer to the end */
  billsec: number;
  disposition: Disposition;
  /** a recorded call only: its permanent link, and its MP3's status when the CDR was written */
  recordingUrl?: string;
  recordingStatus?: 'pending' | 'ready' | 'failed';
}
