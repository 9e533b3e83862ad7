import { AppConfig } from '@pbx/config';
import { DialPolicyService } from '@pbx/dial-policy';
import { ExtensionsService } from '@pbx/extensions';
import { InboundRoutesService, ResolvedInboundRoute } from '@pbx/inbound-routes';
import { RoutesService } from '@pbx/routes';
import { EntryPlanner, IncomingCall } from './entry-planner';

const extensions: Record<
  string,
  { number: string; status: string; outbound: string; outboundCallerId: string | null }
> = {
  '2001': { number: '2001', status: 'active', outbound: 'allowed', outboundCallerId: '02838001234' },
  '2002': { number: '2002', status: 'active', outbound: 'denied', outboundCallerId: null },
  '2009': { number: '2009', status: 'disabled', outbound: 'denied', outboundCallerId: null },
};
const inboundRoutes: Record<string, ResolvedInboundRoute> = {
  '842838001234': { routeId: 1, ringTimeout: 20, record: false, destination: { type: 'extension', number: '2001' } },
  '': {
    routeId: 2,
    ringTimeout: 15,
    record: false,
    destination: {
      type: 'ring_group',
      id: 3,
      name: 'Sales',
      strategy: 'sequential',
      members: ['2001', '2002'],
      memberTimeout: 10,
      ringTimeout: 40,
    },
  },
};

function planner(policyAllows = true) {
  const resolveInbound = jest.fn(async (did: string) => inboundRoutes[did] ?? null);
  const planner = new EntryPlanner(
    { findByNumber: async (n: string) => extensions[n] ?? null } as unknown as ExtensionsService,
    { resolve: resolveInbound } as unknown as InboundRoutesService,
    {
      resolve: async (to: string) =>
        to.startsWith('09')
          ? {
              trunks: [
                { id: 4, name: 'first' },
                { id: 5, name: 'second' },
              ],
              dialNumber: `84${to.slice(1)}`,
            }
          : null,
    } as unknown as RoutesService,
    { check: async () => ({ allowed: policyAllows, reason: 'test' }) } as unknown as DialPolicyService,
    { calls: { agentRingTimeoutSeconds: 25 } } as unknown as AppConfig,
  );
  return { planner, resolveInbound };
}
const incoming = (fields: Partial<IncomingCall>): IncomingCall => ({
  channelId: '1764500000.1',
  from: 'trunk',
  endpoint: 'trunk-7',
  exten: '842838001234',
  callerNumber: '0987654321',
  at: new Date(),
  ...fields,
});

describe('EntryPlanner', () => {
  it('a carrier call to a DID (one leading + stripped) rings the routed extension', async () => {
    const { planner: p, resolveInbound } = planner();
    const plan = await p.plan(incoming({ exten: '+842838001234' }));
    expect(resolveInbound).toHaveBeenCalledWith('842838001234', 7);
    expect(plan.kind).toBe('take');
    expect(plan.call).toMatchObject({
      direction: 'inbound',
      fromNumber: '0987654321',
      toNumber: '842838001234',
      did: '842838001234',
      extension: null,
      trunkId: 7,
      ringPlan: { strategy: 'ringall', members: ['2001'], ringTimeout: 20 },
    });
    expect(plan.caller).toMatchObject({ channelId: '1764500000.1', leg: 'a', extension: null, trunkId: 7 });
  });

  it("no Request-URI user ('s') is DID '': a ring group, bounded by the route's effective ring timeout", async () => {
    const plan = await planner().planner.plan(incoming({ exten: 's' }));
    expect(plan.call.ringPlan).toEqual({
      strategy: 'sequential',
      members: ['2001', '2002'],
      memberTimeout: 10,
      ringTimeout: 15,
      ringGroupId: 3,
    });
  });

  it('no route: refused with cause 1, ended FAILED', async () => {
    const plan = await planner().planner.plan(incoming({ exten: '999' }));
    expect(plan.kind).toBe('refuse');
    expect(plan.call).toMatchObject({ status: 'ended', disposition: 'FAILED', hangupCause: 1, hangupBy: 'system' });
  });

  it('a phone dialling an extension: internal, ringing it for RING_TIMEOUT', async () => {
    const plan = await planner().planner.plan(incoming({ from: 'phone', endpoint: '2002', exten: '2001' }));
    expect(plan.kind).toBe('take');
    expect(plan.call).toMatchObject({
      direction: 'internal',
      fromNumber: '2002',
      toNumber: '2001',
      extension: '2002',
      ringPlan: { members: ['2001'], ringTimeout: 25 },
    });
    expect(plan.caller.extension).toBe('2002');
  });

  it.each([
    ['a disabled extension’s number', '2001', '2009', true, 1],
    ['a phone without outbound', '2002', '0987654321', true, 21],
    ['a number no route matches', '2001', '0287654321', true, 1],
    ['a number the dial policy refuses', '2001', '0987654321', false, 21],
  ])('%s is refused', async (_name, caller, dialled, policyAllows, cause) => {
    const plan = await planner(policyAllows).planner.plan(
      incoming({ from: 'phone', endpoint: caller, exten: dialled }),
    );
    expect(plan).toMatchObject({ kind: 'refuse', call: { hangupCause: cause } });
  });

  it('a phone allowed out: the route plan with failover and its outbound caller id', async () => {
    const plan = await planner().planner.plan(incoming({ from: 'phone', endpoint: '2001', exten: '0987654321' }));
    expect(plan.kind).toBe('take');
    expect(plan.call).toMatchObject({
      direction: 'outbound',
      fromNumber: '2001',
      toNumber: '0987654321',
      callerId: '02838001234',
      ringPlan: null,
      routePlan: [
        { trunkId: 4, trunkName: 'first', dial: '84987654321' },
        { trunkId: 5, trunkName: 'second', dial: '84987654321' },
      ],
    });
  });
});
