import { Call } from '../persistence/call.entity';
import { CallLeg, newLeg } from '../persistence/call-leg.entity';
import { CallChange } from './call-change';
import { CallStatus } from './call.state';

/** Shared by the decide specs of inbound calls: the call, its caller's leg, and changes by time. */
export const A = '00000000-0000-4000-8000-00000000000a';
export const CARRIER = '1764500000.17';
export const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 9, 0, 0) + s * 1000);

/** A queued inbound call from the carrier to a DID routed to a ringall group of `members`, and its caller's leg. */
export function inboundCall(
  members = ['2001', '2002'],
  strategy: 'ringall' | 'sequential' = 'ringall',
): { call: Call; legs: CallLeg[] } {
  const call = Object.assign(new Call(), {
    callUuid: '00000000-0000-4000-8000-000000000002',
    status: CallStatus.Queued,
    direction: 'inbound',
    fromNumber: '0987654321',
    toNumber: '842838001234',
    did: '842838001234',
    extension: null,
    ringPlan: { strategy, members, memberTimeout: 20, ringTimeout: 20 },
    answeredLegUuid: null,
    aLegUuid: A,
    bLegUuid: null,
    fromExtension: null,
    toPhone: null,
    callerId: null,
    trunkId: 3,
    trunkName: null,
    routingMode: null,
    routePlan: [],
    headers: {},
    tokenId: null,
    lastSequence: 1,
    lastCoreSequence: 0,
    disposition: null,
    hangupCause: null,
    hangupCauseText: null,
    hangupBy: null,
    transferLegUuid: null,
    transferredBy: null,
    transferredTo: null,
    record: false,
    createdAt: at(0),
    updatedAt: at(0),
    endedAt: null,
  } satisfies Call);
  const carrier = newLeg({
    legUuid: A,
    channelId: CARRIER,
    callUuid: call.callUuid,
    leg: 'a',
    extension: null,
    endpoint: 'PJSIP/trunk-3',
    trunkId: 3,
    createdAt: at(0),
  });
  return { call, legs: [carrier] };
}

export const ring = (channelId: string, s: number): CallChange => ({ kind: 'leg_ringing', channelId, at: at(s) });
export const answer = (channelId: string, s: number): CallChange => ({ kind: 'leg_answered', channelId, at: at(s) });
export const end = (channelId: string, s: number, cause: number): CallChange => ({
  kind: 'leg_ended',
  channelId,
  at: at(s),
  cause,
  causeText: null,
});
