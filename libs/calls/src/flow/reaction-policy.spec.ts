import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallChange } from '../state/call-change';
import { CallStatus } from '../state/call.state';
import { Decision } from '../state/decide';
import { LegState } from '../state/leg.state';
import { reactions } from './reaction-policy';

const leg = (
  id: string,
  side: 'a' | 'b',
  state: LegState,
  answered = false,
  extension: string | null = null,
): CallLeg =>
  Object.assign(new CallLeg(), {
    legUuid: id,
    channelId: id,
    leg: side,
    state,
    extension,
    trunkId: side === 'b' && extension === null ? 1 : null,
    answeredAt: answered ? new Date() : null,
  });
const call = (status: CallStatus, steps = 2, answeredLegUuid: string | null = null): Call =>
  Object.assign(new Call(), {
    callUuid: 'c',
    direction: 'click_to_call',
    bLegUuid: 'b1',
    answeredLegUuid,
    ringPlan: null,
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
const ended = (channelId: string, cause: number | null): CallChange => ({
  kind: 'leg_ended',
  channelId,
  at: new Date(),
  cause,
  causeText: null,
});
const any: CallChange = { kind: 'leg_answered', channelId: 'x', at: new Date() };

describe('reaction policy', () => {
  it('nothing changed → nothing to do', () => {
    expect(
      reactions({ ...decision(call(CallStatus.Ringing), [], null, null, 'ringing'), changed: false }, any),
    ).toEqual([]);
  });

  it('the caller answers → ringback and dial the callee on the first step, with the pre-assigned id', () => {
    const a = leg('a1', 'a', 'answered', true);
    expect(reactions(decision(call(CallStatus.CallerAnswered), [a], a, 'ringing', 'answered'), any)).toEqual([
      { kind: 'ring', channelId: 'a1' },
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
        decision(call(CallStatus.Answered, 2, 'b1'), [leg('a1', 'a', 'answered', true), b], b, 'ringing', 'answered'),
        any,
      ),
    ).toEqual([{ kind: 'bridge', callerChannel: 'a1', calleeChannel: 'b1' }]);
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
    ).toEqual([{ kind: 'hangup', channelId: 'a1', cause: 34 }]);
    expect(
      reactions(decision(call(CallStatus.CallerAnswered), [a, b], b, 'ringing', 'ended'), ended('b1', 17)),
    ).toEqual([{ kind: 'hangup', channelId: 'a1', cause: 17 }]);
  });

  it('the caller ends → the callee is hung up with the same cause', () => {
    const a = leg('a1', 'a', 'ended', true);
    expect(
      reactions(
        decision(call(CallStatus.Answered, 2, 'b1'), [a, leg('b1', 'b', 'answered', true)], a, 'answered', 'ended'),
        ended('a1', 16),
      ),
    ).toEqual([{ kind: 'hangup', channelId: 'b1', cause: 16 }]);
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

  describe('a call that came in, ringing extensions', () => {
    const inbound = (strategy: 'ringall' | 'sequential', answered: string | null = null): Call =>
      Object.assign(call(answered ? CallStatus.Answered : CallStatus.Ringing, 0, answered), {
        direction: 'inbound',
        ringPlan: { strategy, members: ['2001', '2002'], memberTimeout: 10, ringTimeout: 30 },
      });
    const carrier = leg('carrier', 'a', 'created');

    it('the first member answers → answer the carrier, bridge, cancel the other with cause 26', () => {
      const p1 = leg('p1', 'b', 'answered', true, '2001');
      const p2 = leg('p2', 'b', 'ringing', false, '2002');
      expect(reactions(decision(inbound('ringall', 'p1'), [carrier, p1, p2], p1, 'ringing', 'answered'), any)).toEqual([
        { kind: 'answer', channelId: 'carrier' },
        { kind: 'bridge', callerChannel: 'carrier', calleeChannel: 'p1' },
        { kind: 'hangup', channelId: 'p2', cause: 26 },
      ]);
    });

    it('a member answering after another won is hung up with cause 26', () => {
      const p1 = leg('p1', 'b', 'answered', true, '2001');
      const p2 = leg('p2', 'b', 'answered', true, '2002');
      expect(reactions(decision(inbound('ringall', 'p1'), [carrier, p1, p2], p2, 'ringing', 'answered'), any)).toEqual([
        { kind: 'hangup', channelId: 'p2', cause: 26 },
      ]);
    });

    it('ringall: a member ends while another still rings → nothing; the last one → the carrier hears its cause', () => {
      const p1 = leg('p1', 'b', 'ended', false, '2001');
      const p2 = leg('p2', 'b', 'ringing', false, '2002');
      expect(
        reactions(decision(inbound('ringall'), [carrier, p1, p2], p1, 'ringing', 'ended'), ended('p1', 17)),
      ).toEqual([]);
      const p2Ended = leg('p2', 'b', 'ended', false, '2002');
      expect(
        reactions(decision(inbound('ringall'), [carrier, p1, p2Ended], p2Ended, 'ringing', 'ended'), ended('p2', 19)),
      ).toEqual([{ kind: 'hangup', channelId: 'carrier', cause: 19 }]);
    });

    it('sequential: a member ends unanswered → the next member', () => {
      const p1 = leg('p1', 'b', 'ended', false, '2001');
      expect(
        reactions(decision(inbound('sequential'), [carrier, p1], p1, 'ringing', 'ended'), ended('p1', 19)),
      ).toEqual([{ kind: 'ring_next_member', cause: 19 }]);
    });

    it('the losing member ends after the call was answered → nothing', () => {
      const p1 = leg('p1', 'b', 'answered', true, '2001');
      const p2 = leg('p2', 'b', 'ended', false, '2002');
      expect(
        reactions(decision(inbound('ringall', 'p1'), [carrier, p1, p2], p2, 'ringing', 'ended'), ended('p2', 26)),
      ).toEqual([]);
    });
  });
});
