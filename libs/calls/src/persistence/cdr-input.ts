import { Disposition } from '@pbx/call-events';
import { CdrInput } from '@pbx/cdrs';
import { answeredOrLastCallee } from '../state/call-end';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';

/** What the CDR needs from an ended call: its fields, the caller's leg and the callee's that counts. */
export function cdrInputOf(call: Call, legs: readonly CallLeg[]): CdrInput {
  const caller = legs.find((l) => l.leg === 'a') ?? null;
  const callee = answeredOrLastCallee(call, legs);
  const leg = (l: CallLeg | null) =>
    l ? { uuid: l.legUuid, startedAt: l.createdAt, answeredAt: l.answeredAt, endedAt: l.endedAt } : null;
  // the trunk that carried the callee's leg (a route's failover may have tried several)
  const trunkId = callee?.trunkId ?? call.trunkId;
  const trunkName = call.routePlan.find((step) => step.trunkId === trunkId)?.trunkName ?? call.trunkName;
  return {
    callUuid: call.callUuid,
    direction: call.direction,
    fromNumber: call.fromNumber,
    toNumber: call.toNumber,
    did: call.did,
    extension: call.extension,
    fromExtension: call.fromExtension,
    toPhone: call.toPhone,
    callerId: call.callerId,
    trunkId,
    trunkName,
    routingMode: call.routingMode,
    startedAt: call.createdAt,
    endedAt: call.endedAt ?? new Date(),
    disposition: (call.disposition ?? 'FAILED') as Disposition,
    hangupCause: call.hangupCause,
    hangupCauseText: call.hangupCauseText,
    hangupBy: call.hangupBy,
    transferredBy: call.transferredBy,
    transferredTo: call.transferredTo,
    caller: leg(caller),
    callee: leg(callee),
    headers: call.headers,
  };
}
