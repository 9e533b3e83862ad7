import { Leg } from '@pbx/call-events';
import { HangupSide } from './hangup-cause';

/** What happened to a call, as the worker (ARI events, reconcile) or the API saw it. */
export type CallChange =
  | { kind: 'leg_ringing'; legUuid: string; at: Date }
  | { kind: 'leg_answered'; legUuid: string; at: Date }
  | { kind: 'leg_created'; legUuid: string; leg: Leg; endpoint: string; trunkId: number | null; at: Date }
  | { kind: 'leg_ended'; legUuid: string; at: Date; cause: number | null; causeText: string | null; by?: HangupSide }
  /** the PBX gave up on the whole call (originate refused, Asterisk gone, ...) */
  | { kind: 'call_failed'; at: Date; cause: number | null; causeText: string; by?: HangupSide };

export type CallChangeKind = CallChange['kind'];
