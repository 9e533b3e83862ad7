import { CallChange } from '../state/call-change';
import { CallStatus } from '../state/call.state';
import { Decision } from '../state/decide';
import { isTrunkUnavailable } from '../state/hangup-cause';

/** What the worker asks Asterisk to do next for a call. */
export type Action =
  /** ringback to the caller while the callee is dialled */
  | { kind: 'ring'; legUuid: string }
  /** dial the callee through step `step` of the route plan (a new leg id when none is given) */
  | { kind: 'dial_callee'; step: number; legUuid?: string }
  | { kind: 'bridge'; callerLeg: string; calleeLeg: string }
  /** hang up with the Q.850 cause that ended the other leg, so its phone or carrier hears why */
  | { kind: 'hangup'; legUuid: string; cause: number | null }
  /** the call is over: drop its bridge and what the worker remembers of it */
  | { kind: 'release' };

/**
 * The click-to-call flow as a table keyed on what the funnel did (the call's and the leg's
 * move), never on the raw change: the caller answers → ringback and dial the callee; a callee
 * answers → bridge; a leg ends → the route's next trunk if the carrier could not take the call,
 * else end the other legs with the same cause; the call ends → release.
 */
export function reactions(decision: Decision, change: CallChange): Action[] {
  if (!decision.changed) return [];
  const { call, legs, legMove } = decision;
  if (decision.callMove?.to === CallStatus.Ended) return [{ kind: 'release' }];
  if (!legMove) return [];
  const { leg, to } = legMove;
  if (to === 'answered' && leg.leg === 'a') {
    if (legs.some((l) => l.leg === 'b')) return [];
    return [
      { kind: 'ring', legUuid: leg.legUuid },
      { kind: 'dial_callee', step: 0, legUuid: call.bLegUuid },
    ];
  }
  if (to === 'answered' && leg.leg === 'b') {
    const caller = legs.find((l) => l.leg === 'a' && l.state !== 'ended');
    return caller ? [{ kind: 'bridge', callerLeg: caller.legUuid, calleeLeg: leg.legUuid }] : [];
  }
  if (to === 'ended') {
    const cause = change.kind === 'leg_ended' ? change.cause : null;
    const caller = legs.find((l) => l.leg === 'a');
    const attempts = legs.filter((l) => l.leg === 'b').length;
    if (
      leg.leg === 'b' &&
      !leg.answeredAt &&
      caller?.state === 'answered' &&
      isTrunkUnavailable(cause) &&
      attempts < call.routePlan.length
    ) {
      return [{ kind: 'dial_callee', step: attempts }];
    }
    return legs.filter((l) => l.state !== 'ended').map((l) => ({ kind: 'hangup' as const, legUuid: l.legUuid, cause }));
  }
  return [];
}
