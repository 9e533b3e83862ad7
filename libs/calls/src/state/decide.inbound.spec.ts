import { CallChange } from './call-change';
import { decide, Decision } from './decide';
import { answer, at, CARRIER, end, inboundCall, ring } from './inbound-call.fixture';

const P1 = '00000000-0000-4000-8000-0000000000b1';
const P2 = '00000000-0000-4000-8000-0000000000b2';

let ids = 0;
const run = (changes: CallChange[]): { last: Decision; events: string[] } => {
  let { call, legs } = inboundCall();
  let last: Decision | null = null;
  const events: string[] = [];
  for (const change of changes) {
    last = decide(call, legs, change, () => `event-${++ids}`);
    events.push(...last.events.map((e) => `${e.type}:${e.leg}${e.leg_extension ? `:${e.leg_extension}` : ''}`));
    ({ call, legs } = last);
  }
  return { last: last!, events };
};

const create = (uuid: string, extension: string): CallChange => ({
  kind: 'leg_created',
  legUuid: uuid,
  channelId: uuid,
  leg: 'b',
  extension,
  endpoint: `PJSIP/${extension}`,
  trunkId: null,
  at: at(1),
});
const RINGING = [create(P1, '2001'), create(P2, '2002'), ring(P1, 2), ring(P2, 2)];

describe('decide: an inbound call to a ring group', () => {
  it('rings each member, the first answer wins, the other is cancelled: SPEC order, one answered', () => {
    const { last, events } = run([
      ...RINGING,
      answer(P2, 5),
      end(P1, 5.1, 26),
      answer(CARRIER, 5.2),
      end(CARRIER, 30, 16),
      end(P2, 30.1, 16),
    ]);
    expect(events).toEqual([
      'pbx.call.ringing:b:2001',
      'pbx.call.ringing:b:2002',
      'pbx.call.answered:b:2002',
      'pbx.call.leg_ended:b:2001',
      'pbx.call.leg_ended:a',
      'pbx.call.leg_ended:b:2002',
      'pbx.call.hangup:a',
    ]);
    expect(last.call).toMatchObject({
      status: 'ended',
      disposition: 'ANSWERED',
      extension: '2002',
      answeredLegUuid: P2,
      bLegUuid: P2,
      hangupBy: 'a',
      hangupCause: 16,
    });
  });

  it('a second answer in the same instant does not answer the call again', () => {
    const { last, events } = run([...RINGING, answer(P1, 5), answer(P2, 5)]);
    expect(events.filter((e) => e.startsWith('pbx.call.answered'))).toEqual(['pbx.call.answered:b:2001']);
    expect(last.call.answeredLegUuid).toBe(P1);
  });

  it.each([
    [
      'the caller gives up',
      [...RINGING, end(CARRIER, 8, 16), end(P1, 8.1, 16), end(P2, 8.1, 16)],
      'caller_hangup',
      'a',
    ],
    ['every member is busy', [...RINGING, end(P1, 3, 17), end(P2, 3, 17), end(CARRIER, 3.1, 17)], 'busy', 'b'],
    ['nobody answers', [...RINGING, end(P1, 20, 19), end(P2, 20, 19), end(CARRIER, 20.1, 19)], 'no_answer', 'b'],
    [
      'nobody is online',
      [{ kind: 'call_failed', at: at(1), cause: 19, causeText: 'no extension online', by: 'system' } as CallChange],
      'no_extension_online',
      'system',
    ],
  ])('%s: missed before the hangup, with its reason', (_name, changes, reason, by) => {
    const { last } = run(changes);
    const types = last.events.map((e) => e.type);
    expect(types.slice(-2)).toEqual(['pbx.call.missed', 'pbx.call.hangup']);
    expect(last.events.at(-2)?.missed).toEqual({ reason });
    expect(last.call).toMatchObject({ status: 'ended', hangupBy: by, extension: null });
  });

  it('a member that gives up while another still rings says nothing of the call', () => {
    const { last } = run([...RINGING, end(P1, 3, 17)]);
    expect(last.call).toMatchObject({ status: 'ringing', hangupBy: null });
  });
});
