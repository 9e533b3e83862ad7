import { Disposition, MissedReason } from '@pbx/call-events';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallStatus } from './call.state';
import { Cause, callDisposition, HangupSide, unansweredDisposition } from './hangup-cause';
import { EventOf, legRef } from './leg-events';

/** The callee leg that answered (the winner), else the last one tried: the one the CDR speaks of. */
export function answeredOrLastCallee(call: Pick<Call, 'answeredLegUuid'>, legs: readonly CallLeg[]): CallLeg | null {
  const callees = legs.filter((l) => l.leg === 'b');
  return (
    callees.find((l) => l.legUuid === call.answeredLegUuid) ??
    callees.find((l) => l.answeredAt) ??
    callees[callees.length - 1] ??
    null
  );
}

/** Why nobody took an inbound call (SPEC section 2, pbx.call.missed). */
export function missedReason(by: HangupSide, callees: readonly CallLeg[]): MissedReason {
  if (by === 'a') return 'caller_hangup';
  if (by === 'api') return 'no_answer'; // SPEC section 3: an API hangup of a call nobody answered
  if (callees.length === 0) return 'no_extension_online';
  if (callees.every((l) => l.hangupCause === Cause.UserBusy)) return 'busy';
  return 'no_answer';
}

/** A call no callee answered: busy when every one was, no answer when any rang out, else by the last one's cause. */
function unansweredCallDisposition(call: Call, callees: readonly CallLeg[], by: HangupSide): Disposition {
  if (by === 'api') return 'NO ANSWER'; // ended by the API before anyone answered (missed: no_answer)
  if (callees.length === 0) return unansweredDisposition(call.hangupCause);
  if (callees.every((l) => l.hangupCause === Cause.UserBusy)) return 'BUSY';
  if (by === 'a' || callees.some((l) => l.hangupCause === Cause.NoAnswer || l.hangupCause === Cause.NoUserResponse))
    return 'NO ANSWER';
  return unansweredDisposition(callees[callees.length - 1].hangupCause);
}

function disposition(call: Call, legs: readonly CallLeg[], by: HangupSide): Disposition {
  const a = legs.find((l) => l.leg === 'a');
  const b = answeredOrLastCallee(call, legs);
  if (call.direction !== 'click_to_call') {
    if (b?.answeredAt) return 'ANSWERED';
    return unansweredCallDisposition(
      call,
      legs.filter((l) => l.leg === 'b'),
      by,
    );
  }
  const firstEnded = Math.min(...legs.map((l) => l.endedAt?.getTime() ?? Infinity));
  return callDisposition(
    {
      answered: !!a?.answeredAt,
      cause: a?.hangupCause ?? call.hangupCause,
      endedFirst: by === 'a' || (a?.endedAt?.getTime() ?? Infinity) <= firstEnded,
    },
    b ? { answered: !!b.answeredAt, cause: b.hangupCause ?? call.hangupCause, endedFirst: by === 'b' } : null,
  );
}

/**
 * Ends the call: disposition, cause and side, and its last events (`missed` first for an inbound
 * call nobody answered, then `hangup`).
 */
export function endCall(
  call: Call,
  legs: CallLeg[],
  at: Date,
  hangup: { cause: number | null; causeText: string | null; by: HangupSide },
  event: EventOf,
): void {
  call.hangupCause = hangup.cause;
  call.hangupCauseText = hangup.causeText;
  call.hangupBy = hangup.by;
  const result = disposition(call, legs, hangup.by);
  call.status = CallStatus.Ended;
  call.disposition = result;
  call.endedAt = new Date(Math.max(at.getTime(), ...legs.map((l) => l.endedAt?.getTime() ?? 0)));
  const a = legs.find((l) => l.leg === 'a');
  const b = answeredOrLastCallee(call, legs);
  const ref = hangup.by === 'b' && b ? legRef(b) : a ? legRef(a) : null;
  if (call.direction === 'inbound' && !call.answeredLegUuid) {
    const reason = missedReason(
      hangup.by,
      legs.filter((l) => l.leg === 'b'),
    );
    event('pbx.call.missed', call.endedAt, a ? legRef(a) : null, { missed: { reason } });
  }
  event('pbx.call.hangup', call.endedAt, ref, {
    hangup: { disposition: result, cause: hangup.cause, cause_text: hangup.causeText, hangup_by: hangup.by },
  });
}
