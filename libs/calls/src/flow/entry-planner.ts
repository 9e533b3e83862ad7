import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { trunkIdOfEndpoint } from '@pbx/asterisk';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { DialPolicyService } from '@pbx/dial-policy';
import { ExtensionsService } from '@pbx/extensions';
import { InboundRoutesService } from '@pbx/inbound-routes';
import { RoutesService } from '@pbx/routes';
import { Call, CallDirection, RingPlan, RouteStep } from '../persistence/call.entity';
import { CallLeg, newLeg } from '../persistence/call-leg.entity';
import { CallStatus } from '../state/call.state';
import { Cause, causeText } from '../state/hangup-cause';

/** A call that entered the Stasis app from the dialplan, as the worker sees it. */
export interface IncomingCall {
  channelId: string;
  /** from a carrier (trunk context) or from one of our phones */
  from: 'trunk' | 'phone';
  /** the PJSIP endpoint that called: `trunk-<id>` or an extension number */
  endpoint: string;
  /** the channel's dialplan extension: the Request-URI user (`s` when there was none) */
  exten: string;
  callerNumber: string | null;
  at: Date;
}

/** What to do with an incoming call: refuse it with a cause, or take it as `call`. */
export type EntryPlan = { kind: 'refuse'; call: Call; caller: CallLeg } | { kind: 'take'; call: Call; caller: CallLeg };

/**
 * Decides what an incoming call is (SPEC section 2): a carrier's call to a DID goes to its
 * inbound route's extension or ring group (no route: cause 1, 404); a phone's call to an
 * extension number is internal (a disabled one: 404); any other number is outbound, allowed only
 * for a phone with `outbound: allowed` (else 403, cause 21), through the outbound routes (none:
 * 404) and the dial policy (refused: 403), with the extension's outbound caller id.
 */
@Injectable()
export class EntryPlanner {
  constructor(
    private readonly extensions: ExtensionsService,
    private readonly inboundRoutes: InboundRoutesService,
    private readonly routes: RoutesService,
    private readonly policy: DialPolicyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async plan(incoming: IncomingCall): Promise<EntryPlan> {
    return incoming.from === 'trunk' ? this.inbound(incoming) : this.fromPhone(incoming);
  }

  private async inbound(incoming: IncomingCall): Promise<EntryPlan> {
    const trunkId = trunkIdOfEndpoint(incoming.endpoint);
    const did = incoming.exten === 's' ? '' : incoming.exten.replace(/^\+/, '');
    const base = { direction: 'inbound' as const, from: incoming.callerNumber ?? '', to: did, did, extension: null };
    if (trunkId === null) return refuse(incoming, base, Cause.CallRejected);
    const route = await this.inboundRoutes.resolve(did, trunkId);
    if (!route) return refuse(incoming, base, Cause.Unallocated);
    const destination = route.destination;
    const ringPlan: RingPlan =
      destination.type === 'extension'
        ? {
            strategy: 'ringall',
            members: [destination.number],
            memberTimeout: route.ringTimeout,
            ringTimeout: route.ringTimeout,
          }
        : {
            strategy: destination.strategy,
            members: destination.members,
            memberTimeout: destination.memberTimeout,
            // the smaller of the route's and the group's
            ringTimeout: route.ringTimeout,
            ringGroupId: destination.id,
          };
    return take(incoming, { ...base, ringPlan, trunkId, record: route.record });
  }

  private async fromPhone(incoming: IncomingCall): Promise<EntryPlan> {
    const caller = incoming.endpoint;
    const dialled = incoming.exten;
    const base = { from: caller, to: dialled, did: null, extension: caller };
    const callee = await this.extensions.findByNumber(dialled);
    const phone = await this.extensions.findByNumber(caller);
    const callerRecords = phone?.record === 'always';
    if (callee) {
      const internal = { ...base, direction: 'internal' as const };
      if (callee.status !== 'active') return refuse(incoming, internal, Cause.Unallocated);
      const seconds = this.config.calls.agentRingTimeoutSeconds;
      return take(incoming, {
        ...internal,
        ringPlan: { strategy: 'ringall', members: [dialled], memberTimeout: seconds, ringTimeout: seconds },
        record: callerRecords || callee.record === 'always',
      });
    }
    const outbound = { ...base, direction: 'outbound' as const };
    if (phone?.outbound !== 'allowed') return refuse(incoming, outbound, Cause.CallRejected);
    const resolved = await this.routes.resolve(dialled.replace(/^\+/, ''));
    if (!resolved) return refuse(incoming, outbound, Cause.Unallocated);
    const verdict = await this.policy.check(dialled, resolved.dialNumber);
    if (!verdict.allowed) return refuse(incoming, outbound, Cause.CallRejected);
    const steps: RouteStep[] = resolved.trunks.map((t) => ({
      trunkId: t.id,
      trunkName: t.name,
      dial: resolved.dialNumber,
    }));
    return take(incoming, {
      ...outbound,
      routePlan: steps,
      callerId: phone.outboundCallerId ?? phone.number,
      record: callerRecords,
    });
  }
}

interface Parties {
  direction: CallDirection;
  from: string;
  to: string;
  did: string | null;
  extension: string | null;
  ringPlan?: RingPlan;
  routePlan?: RouteStep[];
  callerId?: string;
  trunkId?: number;
  /** the route or an extension asks for the call to be recorded */
  record?: boolean;
}

function newCall(incoming: IncomingCall, parties: Parties): { call: Call; caller: CallLeg } {
  const legUuid = randomUUID();
  const call = Object.assign(new Call(), {
    callUuid: randomUUID(),
    status: CallStatus.Queued,
    direction: parties.direction,
    fromNumber: parties.from,
    toNumber: parties.to,
    did: parties.did,
    extension: parties.extension,
    ringPlan: parties.ringPlan ?? null,
    answeredLegUuid: null,
    aLegUuid: legUuid,
    bLegUuid: null,
    fromExtension: null,
    toPhone: null,
    callerId: parties.callerId ?? null,
    trunkId: parties.trunkId ?? null,
    trunkName: null,
    routingMode: null,
    headers: {},
    routePlan: parties.routePlan ?? [],
    tokenId: null,
    lastSequence: 0,
    lastCoreSequence: 0,
    disposition: null,
    hangupCause: null,
    hangupCauseText: null,
    hangupBy: null,
    transferLegUuid: null,
    transferredBy: null,
    transferredTo: null,
    record: parties.record ?? false,
    createdAt: incoming.at,
    updatedAt: incoming.at,
    endedAt: null,
  } satisfies Call);
  const caller = newLeg({
    legUuid,
    channelId: incoming.channelId,
    callUuid: call.callUuid,
    leg: 'a',
    extension: incoming.from === 'phone' ? incoming.endpoint : null,
    endpoint: `PJSIP/${incoming.endpoint}`,
    trunkId: parties.trunkId ?? null,
    createdAt: incoming.at,
  });
  return { call, caller };
}

const take = (incoming: IncomingCall, parties: Parties): EntryPlan => ({ kind: 'take', ...newCall(incoming, parties) });

/** A refused call: ended at once, FAILED, with the cause the far end hears. */
function refuse(incoming: IncomingCall, parties: Parties, cause: number): EntryPlan {
  const { call, caller } = newCall(incoming, parties);
  const at = new Date();
  Object.assign(call, {
    status: CallStatus.Ended,
    disposition: 'FAILED',
    hangupCause: cause,
    hangupCauseText: causeText(cause),
    hangupBy: 'system',
    endedAt: at,
    updatedAt: at,
  });
  Object.assign(caller, { state: 'ended', endedAt: at, hangupCause: cause, hangupCauseText: causeText(cause) });
  return { kind: 'refuse', call, caller };
}
