import type { Asterisk, LegDial } from '@pbx/asterisk';
import type { AppConfig } from '@pbx/config';
import { LegDialer } from './leg-dialer';

/** The headers a leg's INVITE gets: the PJSIP_HEADER(add,…) variables of its originate. */
function dialer(): { dialer: LegDialer; headersOf: (leg: 'a' | 'b') => Record<string, string> } {
  const dials: LegDial[] = [];
  const asterisk = { createAndDial: (dial: LegDial) => Promise.resolve(void dials.push(dial)) } as unknown as Asterisk;
  const config = {
    sip: { realm: 'pbx.example' },
    calls: { maxCallSeconds: 3600, agentRingTimeoutSeconds: 30, customerRingTimeoutSeconds: 45 },
  } as unknown as AppConfig;
  const headersOf = (leg: 'a' | 'b') =>
    Object.fromEntries(
      Object.entries(dials.find((d) => d.leg === leg)!.variables)
        .filter(([name]) => name.startsWith('PJSIP_HEADER(add,'))
        .map(([name, value]) => [name.slice('PJSIP_HEADER(add,'.length, -1), value]),
    );
  return { dialer: new LegDialer(asterisk, config), headersOf };
}

const agent = { callUuid: 'c', legUuid: 'a1', extension: '1001', customer: '0987654321' };
const customer = {
  callUuid: 'c',
  legUuid: 'b1',
  callerChannel: 'a1',
  trunkId: 1,
  dial: '0987654321',
  callerId: '1001',
};

describe('LegDialer auto answer', () => {
  it("asks the agent's phone to answer, in four dialects, naming the PBX by its realm", async () => {
    const { dialer: d, headersOf } = dialer();
    await d.dialAgent({ ...agent, autoAnswer: true });
    expect(headersOf('a')).toEqual({
      'Call-Info': '<sip:pbx.example>;answer-after=0',
      'Alert-Info': '<sip:pbx.example>;info=alert-autoanswer;delay=0',
      'Answer-Mode': 'Auto',
      'P-Auto-answer': 'normal',
    });
  });

  it("adds nothing to the agent's INVITE without it, and never anything but X- headers to the customer's", async () => {
    const { dialer: d, headersOf } = dialer();
    await d.dialAgent({ ...agent, autoAnswer: false });
    await d.dialCustomer({ ...customer, headers: { Ticket: 'T-1' } });
    expect(headersOf('a')).toEqual({});
    expect(headersOf('b')).toEqual({ 'X-Ticket': 'T-1' });
  });
});
