import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallChange } from '../state/call-change';
import { CallStatus } from '../state/call.state';
import { Decision } from '../state/decide';
import { LegState } from '../state/leg.state';
import { reactions } from './reaction-policy';

const leg = (id: string, side: 'a' | 'b', state: LegState, answered = false): CallLeg =>
  Object.assign(new CallLeg(), { legUuid: id, leg: side, state, answeredAt: answered ? new Date() : null });
const call = (status: CallStatus, steps = 2): Call =>
  Object.assign(new Call(), {
    callUuid: 'c',
    bLegUuid: 'b1',
    status,
    routePlan: Array.from({ length: steps }, (_, i) => ({ trunkId: i + 1, trunkName: `t${i}`, dial: '0987' })),
  });
const decision = (
  c: Call,
  legs: CallLeg[],
  moved: CallLeg | null,
  from: LegState | null,
  to: LegState,
  callTo?: CallStatus,
): Decision => ({
  call: c,
  legs,
  events: [],
  changed: true,
  callMove: callTo ? { from: CallStatus.Queued, to: callTo } : null,
  legMove: moved ? { leg: moved, from, to } : null,
});
const ended = (legUuid: string, cause: number | null): CallChange => ({
  kind: 'leg_ended',
  legUuid,
  at: new Date(),
  cause,
  causeText: null,
});
const any: CallChange = { kind: 'leg_answered', legUuid: 'x', at: new Date() };

describe('reaction policy', () => {
  it('nothing changed → nothing to do', () => {
    expect(
      reactions({ ...decision(call(CallStatus.Ringing), [], null, null, 'ringing'), changed: false }, any),
    ).toEqual([]);
  });

  it('the caller answers → ringback and dial the callee on the first step, with the pre-assigned id', () => {
    const a = leg('a1', 'a', 'answered', true);
    expect(reactions(decision(call(CallStatus.CallerAnswered), [a], a, 'ringing', 'answered'), any)).toEqual([
      { kind: 'ring', legUuid: 'a1' },
      { kind: 'dial_callee', step: 0, legUuid: 'b1' },
    ]);
  });

  it('the caller answers when a callee already exists (replayed) → nothing', () => {
    const a = leg('a1', 'a', 'answered', true);
    expect(
      reactions(
        decision(call(CallStatus.CallerAnswered), [a, leg('b1', 'b', 'created')], a, 'ringing', 'answered'),
        any,
      ),
    ).toEqual([]);
  });

  it('a callee answers → bridge it with the caller', () => {
    const b = leg('b1', 'b', 'answered', true);
    expect(
      reactions(
        decision(call(CallStatus.Answered), [leg('a1', 'a', 'answered', true), b], b, 'ringing', 'answered'),
        any,
      ),
    ).toEqual([{ kind: 'bridge', callerLeg: 'a1', calleeLeg: 'b1' }]);
  });

  it('an unanswered callee ends because the trunk could not carry it → the next step', () => {
    const b = leg('b1', 'b', 'ended');
    expect(
      reactions(
        decision(call(CallStatus.CallerAnswered), [leg('a1', 'a', 'answered', true), b], b, 'ringing', 'ended'),
        ended('b1', 34),
      ),
    ).toEqual([{ kind: 'dial_callee', step: 1 }]);
  });

  it('…but not past the last step, nor for a busy customer: the others are hung up with that cause', () => {
    const a = leg('a1', 'a', 'answered', true);
    const b = leg('b1', 'b', 'ended');
    expect(
      reactions(decision(call(CallStatus.CallerAnswered, 1), [a, b], b, 'ringing', 'ended'), ended('b1', 34)),
    ).toEqual([{ kind: 'hangup', legUuid: 'a1', cause: 34 }]);
    expect(
      reactions(decision(call(CallStatus.CallerAnswered), [a, b], b, 'ringing', 'ended'), ended('b1', 17)),
    ).toEqual([{ kind: 'hangup', legUuid: 'a1', cause: 17 }]);
  });

  it('the caller ends → the callee is hung up with the same cause', () => {
    const a = leg('a1', 'a', 'ended', true);
    expect(
      reactions(
        decision(call(CallStatus.Answered), [a, leg('b1', 'b', 'answered', true)], a, 'answered', 'ended'),
        ended('a1', 16),
      ),
    ).toEqual([{ kind: 'hangup', legUuid: 'b1', cause: 16 }]);
  });

  it('the call ends → release', () => {
    const a = leg('a1', 'a', 'ended');
    expect(
      reactions(decision(call(CallStatus.Ended), [a], a, 'ringing', 'ended', CallStatus.Ended), ended('a1', 17)),
    ).toEqual([{ kind: 'release' }]);
  });

  it('ringing and leg creation need nothing', () => {
    const a = leg('a1', 'a', 'ringing');
    expect(reactions(decision(call(CallStatus.Ringing), [a], a, 'created', 'ringing'), any)).toEqual([]);
    const b = leg('b1', 'b', 'created');
    expect(reactions(decision(call(CallStatus.CallerAnswered), [a, b], b, null, 'created'), any)).toEqual([]);
  });
});
