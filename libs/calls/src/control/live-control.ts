import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@pbx/common';
import type { TokenLimits } from '@pbx/auth';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { Asterisk, extensionDialString, trunkDialString } from '@pbx/asterisk';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallsRepository } from '../persistence/calls.repository';
import { CallStatus } from '../state/call.state';
import { Cause, causeText } from '../state/hangup-cause';
import { CallFlow, ringbackOf } from '../flow/call-flow';
import { LegDialer } from '../flow/leg-dialer';
import { CallCommand, CommandOutcome, done, refused } from './command';
import { CallRecorder } from '../recording/call-recorder';
import { isTarget, TransferTarget, TransferTargets } from './transfer-target';

/**
 * Carries out a control request on a live call, in the worker, inside the call's queue (the
 * call's one writer, SPEC section 3): hangup, blind transfer, hold and unhold. Every change goes
 * through the call flow (funnel, then reactions); what a request may not do is an outcome the
 * API answers with (409 call_ended / call_not_answered, 422 invalid_leg / destination_denied).
 */
@Injectable()
export class LiveControl {
  private readonly logger = new Logger('live-control');

  constructor(
    private readonly calls: CallsRepository,
    private readonly flow: CallFlow,
    private readonly asterisk: Asterisk,
    private readonly dialer: LegDialer,
    private readonly targets: TransferTargets,
    private readonly recorder: CallRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `via`: the channel that asked (a phone's REFER) and what to do once its leg is released; else the API asked. */
  async run(callUuid: string, command: CallCommand, via?: ReferringLeg): Promise<CommandOutcome> {
    const call = await this.calls.findCall(callUuid);
    if (!call) return refused(ErrorCode.NotFound, `call ${callUuid} not found`, { resource: 'call', id: callUuid });
    if (call.status === CallStatus.Ended) return refused(ErrorCode.CallEnded, `call ${callUuid} has already ended`);
    const legs = await this.calls.legsOf(callUuid);
    switch (command.kind) {
      case 'hangup':
        return this.hangup(call, legs);
      case 'transfer':
        return this.transfer(call, legs, command.to, via, command.limits);
      case 'hold':
      case 'unhold':
        return this.hold(call, legs, command.leg, command.kind === 'hold');
      case 'recording':
        return this.recording(call, command.action);
    }
  }

  /**
   * Recording start and stop (SPEC section 3): start records the bridge from now on (starting
   * while recording changes nothing), stop keeps what was recorded; the segments make one MP3.
   */
  private async recording(call: Call, action: 'start' | 'stop'): Promise<CommandOutcome> {
    if (action === 'stop') {
      if (!(await this.recorder.stop(call.callUuid)))
        return refused(ErrorCode.RecordingNotActive, `call ${call.callUuid} is not being recorded`);
      return done();
    }
    if (call.status !== CallStatus.Answered || call.answeredLegUuid === null)
      return refused(ErrorCode.CallNotAnswered, 'recording starts once the call is answered and bridged');
    await this.recorder.start(call.callUuid);
    return done();
  }

  /**
   * Ends the call, whatever its direction and state: an answered call with cause 16; one not yet
   * answered hangs its caller up with `no_answer` (19: the carrier sees 480, not 603) and cancels
   * the legs ringing. The call's hangup says `hangup_by: api`.
   */
  private async hangup(call: Call, legs: CallLeg[]): Promise<CommandOutcome> {
    const answered = call.status === CallStatus.Answered;
    const calledIn = call.direction !== 'click_to_call';
    const cause = answered || !calledIn ? Cause.Normal : Cause.NoAnswer;
    await this.flow.step(call.callUuid, {
      kind: 'hangup_requested',
      at: new Date(),
      cause,
      causeText: causeText(cause)!,
    });
    const live = legs.filter((l) => l.state !== 'ended');
    this.logger.log(`call ${call.callUuid}: hanging up by API request (${live.length} live legs, cause ${cause})`);
    for (const leg of live) {
      const legCause = !answered && calledIn && leg.leg === 'a' ? Cause.NoAnswer : Cause.Normal;
      await this.asterisk.hangupWithCause(leg.channelId, legCause);
    }
    return done();
  }

  /**
   * Blind transfer (SPEC section 3): the party talking to our extension is connected to `to`
   * and our extension's leg is released. The new leg takes the released leg's letter and joins
   * the call's bridge when it answers; meanwhile the party hears ringback. `via` names the
   * transferring leg (a phone's REFER); from the API it is the extension's leg (the callee's when
   * both sides are extensions).
   */
  private async transfer(
    call: Call,
    legs: CallLeg[],
    to: string,
    via?: ReferringLeg,
    limits?: TokenLimits,
  ): Promise<CommandOutcome> {
    if (call.status !== CallStatus.Answered)
      return refused(ErrorCode.CallNotAnswered, 'a blind transfer needs an answered call');
    const pending = legs.find((l) => l.legUuid === call.transferLegUuid);
    if (pending && !pending.answeredAt && pending.state !== 'ended')
      return refused(ErrorCode.CallNotAnswered, 'a transfer of this call is still ringing');
    const talking = legs.filter((l) => l.state === 'answered' && !l.released);
    const transferor = via ? talking.find((l) => l.channelId === via.channelId) : transferringLeg(talking);
    if (!transferor?.extension)
      return refused(ErrorCode.InvalidLeg, 'no extension of ours is talking in this call to transfer it', [
        { field: 'to', message: 'the call has no extension leg that is answered' },
      ]);
    const kept = talking.find((l) => l !== transferor);
    if (!kept) return refused(ErrorCode.CallNotAnswered, 'nobody is left in the call to transfer');
    const target = await this.targets.resolve(to, transferor.extension, limits);
    if (!isTarget(target)) return target;

    if (legs.some((l) => l.onHold && !l.released)) await this.unholdAll(call, talking);
    const legUuid = randomUUID();
    this.flow.remember(legUuid, call.callUuid);
    const decision = await this.flow.step(call.callUuid, {
      kind: 'transfer_started',
      at: new Date(),
      releasedChannelId: transferor.channelId,
      legUuid,
      channelId: legUuid,
      extension: target.kind === 'extension' ? target.number : null,
      endpoint:
        target.kind === 'extension' ? extensionDialString(target.number) : trunkDialString(target.trunkId, target.dial),
      trunkId: target.kind === 'number' ? target.trunkId : null,
      fromExtension: transferor.extension,
      to,
    });
    if (!decision?.changed)
      return refused(ErrorCode.CallNotAnswered, decision?.illegal ?? 'the call changed meanwhile');
    this.logger.log(
      `call ${call.callUuid}: blind transfer by ${transferor.extension} to ${to} (${target.kind}); leg ${transferor.leg} ${transferor.channelId} released, new leg ${legUuid}`,
    );
    await this.asterisk
      .playToBridge(call.callUuid, 'tone:ring', ringbackOf(call.callUuid))
      .catch((error: Error) =>
        this.logger.warn(`call ${call.callUuid}: no ringback for the transfer: ${error.message}`),
      );
    if (via) {
      // a phone that asked is told first (its NOTIFY needs its channel) and hangs up itself;
      // it leaves the bridge now, and is hung up if it lingers
      await this.asterisk.removeFromBridge(call.callUuid, transferor.channelId).catch(() => undefined);
      await via.released();
      setTimeout(
        () => void this.asterisk.hangupWithCause(transferor.channelId, Cause.Normal).catch(() => undefined),
        2_000,
      ).unref();
    } else {
      await this.asterisk.hangupWithCause(transferor.channelId, Cause.Normal);
    }
    await this.dialTarget(call, kept, target, legUuid, transferor.leg);
    return done();
  }

  private async dialTarget(
    call: Call,
    kept: CallLeg,
    target: TransferTarget,
    legUuid: string,
    leg: 'a' | 'b',
  ): Promise<void> {
    try {
      if (target.kind === 'extension') {
        await this.dialer.dialExtension({
          callUuid: call.callUuid,
          legUuid,
          callerChannel: kept.channelId,
          extension: target.number,
          callerNumber: partyNumber(call, kept),
          timeoutSeconds: this.config.calls.agentRingTimeoutSeconds,
          leg,
        });
      } else {
        await this.dialer.dialCustomer({
          callUuid: call.callUuid,
          legUuid,
          callerChannel: kept.channelId,
          trunkId: target.trunkId,
          dial: target.dial,
          callerId: target.callerId,
          headers: {},
          leg,
        });
      }
    } catch (error) {
      this.logger.warn(
        `call ${call.callUuid}: the transfer's dial was refused: ${error instanceof Error ? error.message : String(error)}`,
      );
      await this.flow.step(call.callUuid, {
        kind: 'leg_ended',
        channelId: legUuid,
        at: new Date(),
        cause: 38,
        causeText: 'dial refused',
        by: 'system',
      });
    }
  }

  /**
   * Hold (SPEC section 3): `leg` is the side that holds; the other side hears music on hold and
   * the holder's audio is not passed. Repeating is no change.
   */
  private async hold(call: Call, legs: CallLeg[], letter: 'a' | 'b', onHold: boolean): Promise<CommandOutcome> {
    if (call.status !== CallStatus.Answered) return refused(ErrorCode.CallNotAnswered, 'hold needs an answered call');
    const talking = legs.filter((l) => l.state === 'answered' && !l.released);
    const holder = talking.find((l) => l.leg === letter);
    const other = talking.find((l) => l.leg !== letter);
    if (!holder || !other)
      return refused(ErrorCode.InvalidLeg, `leg ${letter} is not talking in this call`, [
        { field: 'leg', message: `leg ${letter} is not an answered leg of this call` },
      ]);
    if (holder.onHold === onHold) return done();
    if (onHold) await this.asterisk.holdParty(holder.channelId, other.channelId);
    else await this.asterisk.unholdParty(holder.channelId, other.channelId);
    await this.flow.step(call.callUuid, { kind: 'leg_hold', channelId: holder.channelId, at: new Date(), onHold });
    this.logger.log(`call ${call.callUuid}: leg ${letter} ${onHold ? 'holds' : 'resumes'}`);
    return done();
  }

  /** Before a transfer: nobody stays on hold (the party left must hear the ringback). */
  private async unholdAll(call: Call, talking: CallLeg[]): Promise<void> {
    for (const holder of talking.filter((l) => l.onHold)) {
      const other = talking.find((l) => l !== holder);
      if (other) await this.asterisk.unholdParty(holder.channelId, other.channelId).catch(() => undefined);
      await this.flow.step(call.callUuid, {
        kind: 'leg_hold',
        channelId: holder.channelId,
        at: new Date(),
        onHold: false,
      });
    }
  }
}

/** A transfer a phone asked for (REFER): its channel, and how to tell it once its leg is released. */
export interface ReferringLeg {
  channelId: string;
  released: () => Promise<void>;
}

/** The extension leg a transfer from the API releases: the only one, or the callee's when both are extensions. */
function transferringLeg(talking: CallLeg[]): CallLeg | undefined {
  const extensions = talking.filter((l) => l.extension !== null);
  return extensions.length > 1 ? extensions.find((l) => l.leg === 'b') : extensions[0];
}

/** The number the transfer's target is shown: the party that stays. */
function partyNumber(call: Call, kept: CallLeg): string {
  if (kept.extension) return kept.extension;
  return (kept.leg === 'a' ? call.fromNumber : call.toNumber) ?? '';
}
