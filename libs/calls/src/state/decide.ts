import { randomUUID } from 'node:crypto';
import { CallEvent } from '@pbx/call-events';
import { Call } from '../persistence/call.entity';
import { CallLeg, newLeg } from '../persistence/call-leg.entity';
import { CallChange } from './call-change';
import { nextEvent } from './call-event.factory';
import { alreadyReached, CallStatus, canTransition } from './call.state';
import { callDisposition, HangupSide } from './hangup-cause';
import { LegState, legMove } from './leg.state';

/** What a change did to a call: its new state, the events it produced, and the moves it made. */
export interface Decision {
  call: Call;
  legs: CallLeg[];
  events: CallEvent[];
  /** false when the change was already applied (a repeated ARI event), or is illegal */
  changed: boolean;
  /** the call's move, when it moved */
  callMove: { from: CallStatus; to: CallStatus } | null;
  /** the leg the change was about and its move (from null: the leg was created) */
  legMove: { leg: CallLeg; from: LegState | null; to: LegState } | null;
  /** why the change was refused, when it broke a transition table */
  illegal?: string;
}

class IllegalTransition extends Error {}

/**
 * The call state machine, pure: applies one change to a copy of the call and its legs, by the
 * call and leg transition tables. Applying a change twice gives the same state and no second
 * event. `newId` makes event ids deterministic in tests.
 */
export function decide(
  callIn: Call,
  legsIn: readonly CallLeg[],
  change: CallChange,
  newId: () => string = randomUUID,
): Decision {
  const call = Object.assign(new Call(), callIn, { headers: callIn.headers, routePlan: callIn.routePlan });
  const legs = legsIn.map((leg) => Object.assign(new CallLeg(), leg));
  const events: CallEvent[] = [];
  const decision: Decision = { call, legs, events, changed: false, callMove: null, legMove: null };
  const from = call.status;
  try {
    decision.changed = apply(decision, change, newId);
  } catch (error) {
    if (!(error instanceof IllegalTransition)) throw error;
    return {
      call: callIn,
      legs: [...legsIn],
      events: [],
      changed: false,
      callMove: null,
      legMove: null,
      illegal: error.message,
    };
  }
  if (decision.changed && call.status !== from) decision.callMove = { from, to: call.status };
  if (decision.changed) call.updatedAt = change.at;
  return decision;
}

function apply(d: Decision, change: CallChange, newId: () => string): boolean {
  const { call, legs, events } = d;
  if (call.status === CallStatus.Ended) return false; // nothing changes an ended call
  const event: EventOf = (type, at, leg, extra) => void events.push(nextEvent(call, type, at, leg, extra, newId));
  if (change.kind === 'call_failed') {
    for (const leg of legs.filter((l) => l.state !== 'ended')) {
      Object.assign(leg, {
        state: 'ended',
        endedAt: change.at,
        hangupCause: change.cause,
        hangupCauseText: change.causeText,
      });
    }
    end(call, legs, change.at, { cause: change.cause, causeText: change.causeText, by: change.by ?? 'system' }, event);
    return true;
  }
  if (change.kind === 'leg_created') {
    if (legs.some((l) => l.legUuid === change.legUuid)) return false;
    const leg = newLeg({
      legUuid: change.legUuid,
      callUuid: call.callUuid,
      leg: change.leg,
      endpoint: change.endpoint,
      trunkId: change.trunkId,
      createdAt: change.at,
    });
    legs.push(leg);
    // the trunk actually used, for the events and the CDR from now on (a route may fail over)
    if (change.leg === 'b' && change.trunkId !== null) {
      call.trunkId = change.trunkId;
      call.trunkName = call.routePlan.find((step) => step.trunkId === change.trunkId)?.trunkName ?? call.trunkName;
    }
    d.legMove = { leg, from: null, to: 'created' };
    return true;
  }
  const leg = legs.find((l) => l.legUuid === change.legUuid);
  if (!leg) return false;
  const to: LegState =
    change.kind === 'leg_ringing' ? 'ringing' : change.kind === 'leg_answered' ? 'answered' : 'ended';
  const move = legMove(leg.state, to);
  if (move === 'repeat') return false;
  if (move === 'illegal') throw new IllegalTransition(`leg ${leg.leg} ${leg.state} → ${to} is not a legal transition`);
  d.legMove = { leg, from: leg.state, to };
  const ref = { leg: leg.leg, uuid: leg.legUuid };
  switch (change.kind) {
    case 'leg_ringing':
      leg.state = 'ringing';
      leg.ringingAt = change.at;
      if (leg.leg === 'a') transition(call, CallStatus.Ringing, () => event('pbx.call.ringing', change.at, ref));
      else transition(call, CallStatus.CalleeRinging);
      return true;
    case 'leg_answered':
      leg.state = 'answered';
      leg.ringingAt ??= change.at;
      leg.answeredAt = change.at;
      if (leg.leg === 'a') {
        // a phone that answers without a 180 still gives the CRM ringing before answered
        transition(call, CallStatus.Ringing, () => event('pbx.call.ringing', change.at, ref));
        transition(call, CallStatus.CallerAnswered, () => event('pbx.call.answered', change.at, ref));
      } else {
        transition(call, CallStatus.Answered, () => event('pbx.call.answered', change.at, ref));
      }
      return true;
    case 'leg_ended': {
      const firstToEnd = legs.every((l) => l.state !== 'ended');
      Object.assign(leg, {
        state: 'ended',
        endedAt: change.at,
        hangupCause: change.cause,
        hangupCauseText: change.causeText,
      });
      if (firstToEnd) {
        call.hangupCause = change.cause;
        call.hangupCauseText = change.causeText;
        call.hangupBy = change.by ?? leg.leg;
      }
      if (legs.every((l) => l.state === 'ended')) {
        end(
          call,
          legs,
          change.at,
          { cause: call.hangupCause, causeText: call.hangupCauseText, by: (call.hangupBy ?? leg.leg) as HangupSide },
          event,
        );
      }
      return true;
    }
  }
}

/** Moves the call to `to` unless it is already there or past it; runs `onEnter` when it moves. */
function transition(call: Call, to: CallStatus, onEnter?: () => void): void {
  if (alreadyReached(call.status, to)) return;
  if (!canTransition(call.status, to))
    throw new IllegalTransition(`call ${call.status} → ${to} is not a legal transition`);
  call.status = to;
  onEnter?.();
}

type EventOf = (
  type: CallEvent['type'],
  at: Date,
  leg: { leg: 'a' | 'b'; uuid: string } | null,
  extra?: Pick<CallEvent, 'hangup'>,
) => void;

function end(
  call: Call,
  legs: CallLeg[],
  at: Date,
  hangup: { cause: number | null; causeText: string | null; by: HangupSide },
  event: EventOf,
): void {
  const a = legs.find((l) => l.leg === 'a');
  const b = answeredOrLastCallee(legs);
  const firstEnded = Math.min(...legs.map((l) => l.endedAt?.getTime() ?? Infinity));
  const disposition = callDisposition(
    {
      answered: !!a?.answeredAt,
      cause: a?.hangupCause ?? hangup.cause,
      endedFirst: hangup.by === 'a' || (a?.endedAt?.getTime() ?? Infinity) <= firstEnded,
    },
    b ? { answered: !!b.answeredAt, cause: b.hangupCause ?? hangup.cause, endedFirst: hangup.by === 'b' } : null,
  );
  call.status = CallStatus.Ended;
  call.disposition = disposition;
  call.hangupCause = hangup.cause;
  call.hangupCauseText = hangup.causeText;
  call.hangupBy = hangup.by;
  call.endedAt = new Date(Math.max(at.getTime(), ...legs.map((l) => l.endedAt?.getTime() ?? 0)));
  const ref =
    hangup.by === 'b' && b ? { leg: 'b' as const, uuid: b.legUuid } : a ? { leg: 'a' as const, uuid: a.legUuid } : null;
  event('pbx.call.hangup', call.endedAt, ref, {
    hangup: { disposition, cause: hangup.cause, cause_text: hangup.causeText, hangup_by: hangup.by },
  });
}

/** The callee leg that answered, else the last one tried (the one the CDR and disposition speak of). */
export function answeredOrLastCallee(legs: readonly CallLeg[]): CallLeg | null {
  const callees = legs.filter((l) => l.leg === 'b');
  return callees.find((l) => l.answeredAt) ?? callees[callees.length - 1] ?? null;
}
