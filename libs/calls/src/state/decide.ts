import { randomUUID } from 'node:crypto';
import { CallEvent } from '@pbx/call-events';
import { Call } from '../persistence/call.entity';
import { CallLeg, newLeg } from '../persistence/call-leg.entity';
import { CallChange } from './call-change';
import { nextEvent } from './call-event.factory';
import { alreadyReached, CallStatus, canTransition } from './call.state';
import { endCall } from './call-end';
import { HangupSide } from './hangup-cause';
import { EventOf, legFields, legRef } from './leg-events';
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
      legEnded(leg, change.at, event);
    }
    const by = change.by ?? 'system';
    endCall(call, legs, change.at, { cause: change.cause, causeText: change.causeText, by }, event);
    return true;
  }
  if (change.kind === 'hangup_requested') {
    if (call.hangupBy === 'api') return false;
    Object.assign(call, { hangupBy: 'api', hangupCause: change.cause, hangupCauseText: change.causeText });
    return true;
  }
  if (change.kind === 'transfer_started') return startTransfer(d, change, event);
  if (change.kind === 'leg_hold') {
    const leg = legs.find((l) => l.channelId === change.channelId);
    if (!leg || leg.state !== 'answered' || leg.onHold === change.onHold) return false;
    leg.onHold = change.onHold;
    return true;
  }
  if (change.kind === 'leg_created') {
    if (legs.some((l) => l.legUuid === change.legUuid || l.channelId === change.channelId)) return false;
    const leg = newLeg({
      legUuid: change.legUuid,
      channelId: change.channelId,
      callUuid: call.callUuid,
      leg: change.leg,
      extension: change.extension,
      endpoint: change.endpoint,
      trunkId: change.trunkId,
      createdAt: change.at,
    });
    legs.push(leg);
    if (change.leg === 'b') {
      // the trunk actually used, for the events and the CDR from now on (a route may fail over)
      if (change.trunkId !== null) {
        call.trunkId = change.trunkId;
        call.trunkName = call.routePlan.find((step) => step.trunkId === change.trunkId)?.trunkName ?? call.trunkName;
      }
      // a new attempt (failover, the next member) for a caller still there: its outcome decides
      if (!call.answeredLegUuid && call.hangupBy !== 'api' && legs.some((l) => l.leg === 'a' && l.state !== 'ended'))
        clearHangup(call);
    }
    d.legMove = { leg, from: null, to: 'created' };
    return true;
  }
  const leg = legs.find((l) => l.channelId === change.channelId);
  if (!leg) return false;
  const to: LegState =
    change.kind === 'leg_ringing' ? 'ringing' : change.kind === 'leg_answered' ? 'answered' : 'ended';
  const move = legMove(leg.state, to);
  if (move === 'repeat') return false;
  if (move === 'illegal') throw new IllegalTransition(`leg ${leg.leg} ${leg.state} → ${to} is not a legal transition`);
  d.legMove = { leg, from: leg.state, to };
  const ref = legRef(leg);
  const clickToCall = call.direction === 'click_to_call';
  if (leg.legUuid === call.transferLegUuid && change.kind !== 'leg_ended') {
    // the transfer's new leg: its ringing and answer are events, the call stays answered
    const transfer = { from_extension: call.transferredBy, to: call.transferredTo! };
    if (change.kind === 'leg_ringing') leg.ringingAt = change.at;
    else Object.assign(leg, { ringingAt: leg.ringingAt ?? change.at, answeredAt: change.at });
    leg.state = to;
    const type = change.kind === 'leg_ringing' ? 'pbx.call.ringing' : 'pbx.call.answered';
    event(type, change.at, ref, { ...legFields(leg), transfer });
    return true;
  }
  switch (change.kind) {
    case 'leg_ringing':
      leg.state = 'ringing';
      leg.ringingAt = change.at;
      if (leg.leg === 'a') {
        if (clickToCall)
          transition(call, CallStatus.Ringing, () => event('pbx.call.ringing', change.at, ref, legFields(leg)));
      } else if (!call.answeredLegUuid) {
        transition(call, call.status === CallStatus.CallerAnswered ? CallStatus.CalleeRinging : CallStatus.Ringing);
        event('pbx.call.ringing', change.at, ref, legFields(leg));
      }
      return true;
    case 'leg_answered':
      leg.state = 'answered';
      leg.ringingAt ??= change.at;
      leg.answeredAt = change.at;
      if (leg.leg === 'a') {
        if (clickToCall) {
          // a phone that answers without a 180 still gives the CRM ringing before answered
          transition(call, CallStatus.Ringing, () => event('pbx.call.ringing', change.at, ref, legFields(leg)));
          transition(call, CallStatus.CallerAnswered, () => event('pbx.call.answered', change.at, ref, legFields(leg)));
        }
      } else if (!call.answeredLegUuid) {
        // the first answer wins; a later one (ringall, same instant) is hung up by the flow
        call.answeredLegUuid = leg.legUuid;
        if (!clickToCall) call.bLegUuid = leg.legUuid;
        if (call.direction === 'inbound') call.extension = leg.extension;
        transition(call, CallStatus.Answered, () => event('pbx.call.answered', change.at, ref, legFields(leg)));
      }
      return true;
    case 'leg_ended': {
      Object.assign(leg, {
        state: 'ended',
        endedAt: change.at,
        hangupCause: change.cause,
        hangupCauseText: change.causeText,
      });
      legEnded(leg, change.at, event);
      if (call.hangupBy === null && decisive(call, legs, leg)) {
        call.hangupCause = change.cause;
        call.hangupCauseText = change.causeText;
        call.hangupBy = change.by ?? leg.leg;
      }
      if (legs.every((l) => l.state === 'ended')) {
        const by = (call.hangupBy ?? change.by ?? leg.leg) as HangupSide;
        const hangup = call.hangupBy
          ? { cause: call.hangupCause, causeText: call.hangupCauseText, by }
          : { cause: change.cause, causeText: change.causeText, by };
        endCall(call, legs, change.at, hangup, event);
      }
      return true;
    }
  }
}

/**
 * Whether a leg's end says why the call ends: the caller's, the answered callee's, or the last
 * callee still ringing (an unanswered callee among others ringing, or one that lost the race,
 * says nothing of the call).
 */
function decisive(call: Call, legs: readonly CallLeg[], leg: CallLeg): boolean {
  if (leg.released) return false;
  if (leg.leg === 'a' || leg.legUuid === call.answeredLegUuid || leg.legUuid === call.transferLegUuid) return true;
  if (call.answeredLegUuid) return false;
  return !legs.some((l) => l !== leg && l.leg === 'b' && l.state !== 'ended');
}

/**
 * A blind transfer starts (SPEC section 3): the released leg leaves the call, a new leg with its
 * letter is created for the target, and `pbx.call.transferred` says who and where. Only an
 * answered call, from a leg that is talking, and one transfer at a time.
 */
function startTransfer(
  d: Decision,
  change: Extract<CallChange, { kind: 'transfer_started' }>,
  event: EventOf,
): boolean {
  const { call, legs } = d;
  const released = legs.find((l) => l.channelId === change.releasedChannelId);
  if (!released || released.state !== 'answered' || released.released) return false;
  if (legs.some((l) => l.legUuid === change.legUuid)) return false;
  const pending = legs.find((l) => l.legUuid === call.transferLegUuid);
  if (pending && !pending.answeredAt && pending.state !== 'ended')
    throw new IllegalTransition('a transfer is already ringing');
  released.released = true;
  released.onHold = false;
  const leg = newLeg({
    legUuid: change.legUuid,
    channelId: change.channelId,
    callUuid: call.callUuid,
    leg: released.leg,
    extension: change.extension,
    endpoint: change.endpoint,
    trunkId: change.trunkId,
    createdAt: change.at,
  });
  legs.push(leg);
  Object.assign(call, { transferLegUuid: leg.legUuid, transferredBy: change.fromExtension, transferredTo: change.to });
  event('pbx.call.transferred', change.at, legRef(released), {
    ...legFields(released),
    transfer: { from_extension: change.fromExtension, to: change.to },
  });
  d.legMove = { leg, from: null, to: 'created' };
  return true;
}

function clearHangup(call: Call): void {
  call.hangupCause = null;
  call.hangupCauseText = null;
  call.hangupBy = null;
}

function legEnded(leg: CallLeg, at: Date, event: EventOf): void {
  event('pbx.call.leg_ended', at, legRef(leg), {
    ...legFields(leg),
    leg_hangup: { cause: leg.hangupCause, cause_text: leg.hangupCauseText },
  });
}

/** Moves the call to `to` unless it is already there or past it; runs `onEnter` when it moves. */
function transition(call: Call, to: CallStatus, onEnter?: () => void): void {
  if (alreadyReached(call.status, to)) return;
  if (!canTransition(call.status, to))
    throw new IllegalTransition(`call ${call.status} → ${to} is not a legal transition`);
  call.status = to;
  onEnter?.();
}
