import { CallChange } from '../state/call-change';
import { CallStatus } from '../state/call.state';
import { Decision } from '../state/decide';
import { Cause, isTrunkUnavailable } from '../state/hangup-cause';

/** What the worker asks Asterisk to do next for a call. Legs are named by their channel id. */
export type Action =
  /** ringback to the caller while the callee is dialled */
  | { kind: 'ring'; channelId: string }
  /** dial the callee through step `step` of the route plan (a new leg id when none is given) */
  | { kind: 'dial_callee'; step: number; legUuid?: string }
  /** ring the ring plan's next member that is online; none left: hang the caller up with `cause` */
  | { kind: 'ring_next_member'; cause: number | null }
  /** answer the caller's channel (a call that came in) before bridging it */
  | { kind: 'answer'; channelId: string }
  | { kind: 'bridge'; callerChannel: string; calleeChannel: string }
  /** a transfer's target answered: into the call's bridge, in place of the released leg */
  | { kind: 'join_bridge'; channelId: string }
  /** hang up with the Q.850 cause that ended the other leg, so its phone or carrier hears why */
  | { kind: 'hangup'; channelId: string; cause: number | null }
  /** the call is over: drop its bridge and what the worker remembers of it */
  | { kind: 'release' };

/**
 * The call flow as a table keyed on what the funnel did (the call's and the leg's move), never
 * on the raw change:
 * - click-to-call: the caller (agent) answers → ringback and dial the callee;
 * - a callee answers first → answer a caller that called in, bridge, cancel the other callees
 *   with cause 26 (call completed elsewhere); a callee answering after that is hung up the same way;
 * - a callee ends unanswered while the caller waits → the route's next trunk if the carrier could
 *   not take the call, the ring plan's next member (sequential), else the caller hears its cause;
 * - a callee that lost, or one of several still ringing, ends → nothing;
 * - a transfer's target answers → it joins the call's bridge; it ends unanswered → the call
 *   ends, the party left hears cause 19 (no answer); the released leg's end → nothing;
 * - after an API hangup no new attempt starts: every leg ending ends the others;
 * - another leg ends → the other legs end with its cause; the call ends → release.
 */
export function reactions(decision: Decision, change: CallChange): Action[] {
  if (!decision.changed) return [];
  const { call, legs, legMove } = decision;
  if (decision.callMove?.to === CallStatus.Ended) return [{ kind: 'release' }];
  if (!legMove) return [];
  const { leg, to } = legMove;
  const caller = legs.find((l) => l.leg === 'a' && !l.released);
  const callerUp = caller !== undefined && caller.state !== 'ended';
  const aliveCallees = legs.filter((l) => l.leg === 'b' && l.state !== 'ended' && l !== leg);
  const stillUp = () => legs.filter((l) => l.state !== 'ended' && l !== leg);
  if (leg.released) return [];
  if (leg.legUuid === call.transferLegUuid) {
    if (to === 'answered') return [{ kind: 'join_bridge', channelId: leg.channelId }];
    if (to === 'ended' && !leg.answeredAt)
      return stillUp().map((l) => ({ kind: 'hangup' as const, channelId: l.channelId, cause: Cause.NoAnswer }));
  }
  if (to === 'answered' && leg.leg === 'a') {
    if (call.direction !== 'click_to_call' || legs.some((l) => l.leg === 'b')) return [];
    return [
      { kind: 'ring', channelId: leg.channelId },
      { kind: 'dial_callee', step: 0, legUuid: call.bLegUuid ?? undefined },
    ];
  }
  if (to === 'answered' && leg.leg === 'b') {
    if (leg.legUuid !== call.answeredLegUuid || !callerUp)
      return [{ kind: 'hangup', channelId: leg.channelId, cause: Cause.AnsweredElsewhere }];
    return [
      ...(caller.state === 'answered' ? [] : [{ kind: 'answer' as const, channelId: caller.channelId }]),
      { kind: 'bridge', callerChannel: caller.channelId, calleeChannel: leg.channelId },
      ...aliveCallees.map((l) => ({ kind: 'hangup' as const, channelId: l.channelId, cause: Cause.AnsweredElsewhere })),
    ];
  }
  if (to === 'ended') {
    const cause = change.kind === 'leg_ended' ? change.cause : null;
    if (leg.leg === 'b' && leg.legUuid !== call.answeredLegUuid && call.hangupBy !== 'api') {
      if (call.answeredLegUuid || aliveCallees.length > 0) return [];
      if (callerUp) {
        const attempts = legs.filter((l) => l.leg === 'b').length;
        if (leg.trunkId !== null && isTrunkUnavailable(cause) && attempts < call.routePlan.length)
          return [{ kind: 'dial_callee', step: attempts }];
        if (call.ringPlan?.strategy === 'sequential') return [{ kind: 'ring_next_member', cause }];
      }
    }
    return legs
      .filter((l) => l.state !== 'ended')
      .map((l) => ({ kind: 'hangup' as const, channelId: l.channelId, cause }));
  }
  return [];
}
