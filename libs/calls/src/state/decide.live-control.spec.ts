import { reactions } from '../flow/reaction-policy';
import { CallChange } from './call-change';
import { decide, Decision } from './decide';
import { answer, at, CARRIER, end, inboundCall, ring } from './inbound-call.fixture';

const P1 = '00000000-0000-4000-8000-0000000000b1';
const T = '00000000-0000-4000-8000-0000000000c1';

let ids = 0;
function run(
  changes: CallChange[],
  members = ['2001'],
  strategy: 'ringall' | 'sequential' = 'ringall',
): { last: Decision; all: Decision[]; events: string[] } {
  let { call, legs } = inboundCall(members, strategy);
  const all: Decision[] = [];
  const events: string[] = [];
  for (const change of changes) {
    const d = decide(call, legs, change, () => `event-${++ids}`);
    all.push(d);
    events.push(...d.events.map((e) => `${e.type}:${e.leg}${e.transfer ? '(transfer)' : ''}`));
    ({ call, legs } = d);
  }
  return { last: all[all.length - 1], all, events };
}

const ANSWERED: CallChange[] = [
  {
    kind: 'leg_created',
    legUuid: P1,
    channelId: P1,
    leg: 'b',
    extension: '2001',
    endpoint: 'PJSIP/2001',
    trunkId: null,
    at: at(1),
  },
  ring(P1, 2),
  answer(P1, 4),
  answer(CARRIER, 4.1),
];
const transfer = (s: number, to = '2002'): Extract<CallChange, { kind: 'transfer_started' }> => ({
  kind: 'transfer_started',
  at: at(s),
  releasedChannelId: P1,
  legUuid: T,
  channelId: T,
  extension: to,
  endpoint: `PJSIP/${to}`,
  trunkId: null,
  fromExtension: '2001',
  to,
});

describe('decide and react: live control', () => {
  it('a blind transfer: the released leg says nothing of the call, the new leg rings and answers as the transfer, one hangup', () => {
    const { last, all, events } = run([
      ...ANSWERED,
      transfer(10),
      end(P1, 10.1, 16),
      ring(T, 11),
      answer(T, 13),
      end(CARRIER, 40, 16),
      end(T, 40.1, 16),
    ]);
    expect(events).toEqual([
      'pbx.call.ringing:b',
      'pbx.call.answered:b',
      'pbx.call.transferred:b(transfer)',
      'pbx.call.leg_ended:b',
      'pbx.call.ringing:b(transfer)',
      'pbx.call.answered:b(transfer)',
      'pbx.call.leg_ended:a',
      'pbx.call.leg_ended:b',
      'pbx.call.hangup:a',
    ]);
    expect(last.call).toMatchObject({
      status: 'ended',
      disposition: 'ANSWERED',
      hangupBy: 'a',
      transferredBy: '2001',
      transferredTo: '2002',
      answeredLegUuid: P1, // billing counts from the first answer
    });
    const transferred = all[4].events[0];
    expect(transferred.transfer).toEqual({ from_extension: '2001', to: '2002' });
    expect(transferred.core_sequence).toBeUndefined();
    // the reactions: the released leg's end does nothing; the target's answer joins the bridge
    expect(reactions(all[5], end(P1, 10.1, 16))).toEqual([]);
    expect(reactions(all[7], answer(T, 13))).toEqual([{ kind: 'join_bridge', channelId: T }]);
  });

  it('the target does not answer: the caller is hung up with cause 19 and the call ends with the target’s cause', () => {
    const { all, last } = run([...ANSWERED, transfer(10), end(P1, 10.1, 16), ring(T, 11), end(T, 31, 19)]);
    expect(reactions(all[all.length - 1], end(T, 31, 19))).toEqual([{ kind: 'hangup', channelId: CARRIER, cause: 19 }]);
    const ended = decide(last.call, last.legs, end(CARRIER, 31.1, 19));
    expect(ended.call).toMatchObject({ status: 'ended', hangupCause: 19, hangupBy: 'b', transferredTo: '2002' });
  });

  it('one transfer at a time, and only from a leg that is talking', () => {
    const { last } = run([...ANSWERED, transfer(10), ring(T, 11)]);
    const second = decide(last.call, last.legs, { ...transfer(12), legUuid: 'x', channelId: 'x' });
    expect(second.changed).toBe(false);
    const ringing = run([ANSWERED[0], ring(P1, 2)]).last;
    expect(decide(ringing.call, ringing.legs, transfer(3)).changed).toBe(false);
  });

  it('an API hangup of a ringing inbound call: hangup by api with its cause, missed no_answer, no new attempt', () => {
    const { all, last } = run(
      [
        ANSWERED[0],
        ring(P1, 2),
        { kind: 'hangup_requested', at: at(5), cause: 19, causeText: 'No answer' },
        end(P1, 5.1, 16),
      ],
      // sequential: without the API hangup, the first member's end would ring the second
      ['2001', '2002'],
      'sequential',
    );
    // the member's end after an API hangup ends the others instead of ringing the next member
    expect(reactions(all[all.length - 1], end(P1, 5.1, 16))).toEqual([
      { kind: 'hangup', channelId: CARRIER, cause: 16 },
    ]);
    const ended = decide(last.call, last.legs, end(CARRIER, 5.2, 19));
    expect(ended.call).toMatchObject({ status: 'ended', hangupBy: 'api', hangupCause: 19, disposition: 'NO ANSWER' });
    const types = ended.events.map((e) => e.type);
    expect(types.slice(-2)).toEqual(['pbx.call.missed', 'pbx.call.hangup']);
    expect(ended.events.at(-2)?.missed).toEqual({ reason: 'no_answer' });
    expect(ended.events.at(-1)?.hangup?.hangup_by).toBe('api');
  });

  it('hold marks the holding leg; repeating is no change; a leg not answered cannot hold', () => {
    const { last } = run([...ANSWERED, { kind: 'leg_hold', channelId: P1, at: at(6), onHold: true }]);
    expect(last.changed).toBe(true);
    expect(last.legs.find((l) => l.legUuid === P1)?.onHold).toBe(true);
    expect(decide(last.call, last.legs, { kind: 'leg_hold', channelId: P1, at: at(7), onHold: true }).changed).toBe(
      false,
    );
    const ringing = run([ANSWERED[0], ring(P1, 2), { kind: 'leg_hold', channelId: P1, at: at(3), onHold: true }]);
    expect(ringing.last.changed).toBe(false);
  });
});
