import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Asterisk, extensionDialString, RegistrationsService } from '@pbx/asterisk';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallChange } from '../state/call-change';
import { Decision } from '../state/decide';
import { LegDialer } from './leg-dialer';
import { Cause } from '../state/hangup-cause';

type Step = (change: CallChange) => Promise<Decision | null>;

/** The caller's channel, which every callee is dialled for. */
const callerOf = (call: Call, legs: readonly CallLeg[]) => legs.find((l) => l.leg === 'a')?.channelId ?? call.aLegUuid;

/**
 * Rings the extensions of a call's ring plan (an inbound route's extension or ring group, the
 * extension a phone dialled): `ringall` rings every member with a registered phone at once for
 * the group's ring timeout; `sequential` rings them one after the other, each for the member
 * timeout, all within the ring timeout. Members without a registered phone are skipped.
 */
@Injectable()
export class MemberRinger {
  private readonly logger = new Logger('call-flow');

  constructor(
    private readonly asterisk: Asterisk,
    private readonly registrations: RegistrationsService,
    private readonly dial: LegDialer,
  ) {}

  /** Starts ringing; nobody online ends the call (the caller hears 480, an inbound call is missed). */
  async start(call: Call, legs: readonly CallLeg[], step: Step): Promise<void> {
    const plan = call.ringPlan;
    if (!plan) return;
    if (plan.strategy === 'sequential') return this.ringNext(call, legs, null, step);
    const online = await this.online(plan.members);
    if (online.length === 0) return this.nobodyOnline(call, legs, step);
    await Promise.all(online.map((member) => this.ring(call, callerOf(call, legs), member, plan.ringTimeout, step)));
  }

  /** Sequential: the next member not rung yet that is online, for what is left of the ring timeout. */
  async ringNext(call: Call, legs: readonly CallLeg[], cause: number | null, step: Step): Promise<void> {
    const plan = call.ringPlan;
    if (!plan) return;
    const rung = new Set(legs.filter((l) => l.leg === 'b').map((l) => l.extension));
    const left = plan.ringTimeout - Math.floor((Date.now() - call.createdAt.getTime()) / 1000);
    for (const member of plan.members.filter((m) => !rung.has(m))) {
      if (left < 1) break;
      if (!(await this.online([member])).length) continue;
      return this.ring(call, callerOf(call, legs), member, Math.min(plan.memberTimeout, left), step);
    }
    if (rung.size === 0) return this.nobodyOnline(call, legs, step);
    await this.asterisk.hangupWithCause(callerOf(call, legs), cause ?? Cause.NoAnswer).catch(() => undefined);
  }

  /** The members with a registered phone (all of them when AMI cannot tell: dialling finds out). */
  private async online(members: readonly string[]): Promise<string[]> {
    const registered = await this.registrations.registeredAors();
    return registered ? members.filter((m) => registered.has(m)) : [...members];
  }

  private async nobodyOnline(call: Call, legs: readonly CallLeg[], step: Step): Promise<void> {
    this.logger.log(`call ${call.callUuid}: no extension of ${call.ringPlan?.members.join(', ')} is online`);
    await step({
      kind: 'call_failed',
      at: new Date(),
      cause: Cause.NoAnswer,
      causeText: 'no extension online',
      by: 'system',
    });
    await this.asterisk.hangupWithCause(callerOf(call, legs), Cause.NoAnswer).catch(() => undefined);
  }

  private async ring(call: Call, caller: string, extension: string, seconds: number, step: Step): Promise<void> {
    const legUuid = randomUUID();
    await step({
      kind: 'leg_created',
      legUuid,
      channelId: legUuid,
      leg: 'b',
      extension,
      endpoint: extensionDialString(extension),
      trunkId: null,
      at: new Date(),
    });
    try {
      await this.dial.dialExtension({
        callUuid: call.callUuid,
        legUuid,
        callerChannel: caller,
        extension,
        callerNumber: call.fromNumber ?? '',
        timeoutSeconds: seconds,
      });
      this.logger.log(`call ${call.callUuid}: ringing extension ${extension} for ${seconds} s`);
    } catch (error) {
      this.logger.warn(
        `call ${call.callUuid}: dialing extension ${extension} refused: ${error instanceof Error ? error.message : String(error)}`,
      );
      await step({
        kind: 'leg_ended',
        channelId: legUuid,
        at: new Date(),
        cause: 38,
        causeText: 'dial refused',
        by: 'system',
      });
    }
  }
}
