import { CallEventType, Disposition, Leg } from './call-event';

/**
 * A call event in our own terms: what every webhook renderer reads, whatever dialect it writes.
 * It is built from the stored record at send time (pbxEventFromRecord), so a renderer never
 * depends on how events are stored, and no dialect's field names leak into the others.
 * Times are the stored ISO 8601 UTC strings (milliseconds), so every renderer starts from the
 * same text; a dialect that wants another form (`Y-m-d H:i:s` in the PBX's zone) derives it.
 */
export interface PbxEvent {
  id: string;
  type: CallEventType;
  occurredAt: string;
  callUuid: string;
  /** per call, from 1, in the order the events happened */
  sequence: number;
  /** the leg the event is about, when it is about one */
  leg: Leg | null;
  legUuid: string | null;
  /** the call as it was when the event happened */
  call: PbxCall;
  /** on pbx.call.hangup and pbx.cdr.created */
  hangup: PbxHangup | null;
  /** on pbx.cdr.created */
  cdr: PbxCdr | null;
}

export interface PbxCall {
  callUuid: string;
  aLegUuid: string;
  bLegUuid: string;
  fromExtension: string;
  toPhone: string;
  callerId: string;
  trunkId: number | null;
  trunkName: string | null;
  routingMode: 'direct_gateway' | 'dialplan_default';
  status: string;
  /** the click-to-call request's headers (sent to the carrier as X-<name>) */
  headers: Record<string, string>;
}

export interface PbxHangup {
  disposition: Disposition;
  /** Q.850 cause code */
  cause: number | null;
  causeText: string | null;
  /** which side ended the call first: the agent (a), the customer (b) or the PBX (system) */
  by: Leg | 'system';
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
}
