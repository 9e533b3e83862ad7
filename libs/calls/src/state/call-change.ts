import { Leg } from '@pbx/call-events';
import { HangupSide } from './hangup-cause';

/**
 * What happened to a call, as the worker (ARI events, reconcile) or the API saw it. Changes of
 * an existing leg name it by Asterisk's channel id, the one name ARI events carry.
 */
export type CallChange =
  | { kind: 'leg_ringing'; channelId: string; at: Date }
  | { kind: 'leg_answered'; channelId: string; at: Date }
  | {
      kind: 'leg_created';
      legUuid: string;
      channelId: string;
      leg: Leg;
      /** the extension the leg rings, null for a trunk's leg */
      extension: string | null;
      endpoint: string;
      trunkId: number | null;
      at: Date;
    }
  | { kind: 'leg_ended'; channelId: string; at: Date; cause: number | null; causeText: string | null; by?: HangupSide }
  /**
   * The API asked to end the call (POST /calls/:uuid/hangup): the call ends with this cause and
   * `hangup_by: api`, whatever its legs report as they go; no new attempt starts.
   */
  | { kind: 'hangup_requested'; at: Date; cause: number; causeText: string }
  /**
   * A blind transfer: `releasedChannelId`'s leg leaves the call (its end says nothing of the
   * call) and a new leg with its letter dials `to`.
   */
  | {
      kind: 'transfer_started';
      at: Date;
      releasedChannelId: string;
      legUuid: string;
      channelId: string;
      extension: string | null;
      endpoint: string;
      trunkId: number | null;
      fromExtension: string | null;
      to: string;
    }
  /** the leg holds (the other side hears music on hold) or no longer does */
  | { kind: 'leg_hold'; channelId: string; at: Date; onHold: boolean }
  /** the PBX gave up on the whole call (originate refused, Asterisk gone, nobody to ring, ...) */
  | { kind: 'call_failed'; at: Date; cause: number | null; causeText: string; by?: HangupSide };

export type CallChangeKind = CallChange['kind'];
