import { CallDirection, CdrFields, Disposition } from '@pbx/call-events';
import { Cdr } from './cdr.entity';

/** One leg's times, as the CDR keeps them. */
export interface CdrLeg {
  uuid: string;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
}

/** What a finished call tells the CDR (built by the call funnel from the call and its legs). */
export interface CdrInput {
  callUuid: string;
  direction: CallDirection;
  fromNumber: string | null;
  toNumber: string | null;
  did: string | null;
  extension: string | null;
  /** click-to-call only */
  fromExtension: string | null;
  toPhone: string | null;
  callerId: string | null;
  /** the trunk that carried the callee's leg (the one that answered, else the last tried) */
  trunkId: number | null;
  trunkName: string | null;
  routingMode: string | null;
  startedAt: Date;
  endedAt: Date;
  disposition: Disposition;
  hangupCause: number | null;
  hangupCauseText: string | null;
  hangupBy: string | null;
  /** a blind transfer's released extension and its target (SPEC section 3) */
  transferredBy?: string | null;
  transferredTo?: string | null;
  caller: CdrLeg | null;
  callee: CdrLeg | null;
  headers: Record<string, string>;
  /** a recorded call: its recording's token and permanent link (pending while the call ends) */
  recording?: { token: string; url: string } | null;
}

/**
 * The CDR row: duration from the call's start, billsec from the callee's answer (0 when
 * nobody answered), both in whole seconds.
 */
export function cdrRow(input: CdrInput): Partial<Cdr> {
  const answeredAt = input.callee?.answeredAt ?? null;
  const seconds = (from: Date) => Math.max(0, Math.round((input.endedAt.getTime() - from.getTime()) / 1000));
  return {
    callUuid: input.callUuid,
    direction: input.direction,
    fromNumber: input.fromNumber,
    toNumber: input.toNumber,
    did: input.did,
    extension: input.extension,
    fromExtension: input.fromExtension,
    toPhone: input.toPhone,
    callerId: input.callerId,
    trunkId: input.trunkId,
    trunkName: input.trunkName,
    routingMode: input.routingMode,
    startedAt: input.startedAt,
    answeredAt,
    endedAt: input.endedAt,
    duration: seconds(input.startedAt),
    billsec: answeredAt ? seconds(answeredAt) : 0,
    disposition: input.disposition,
    hangupCause: input.hangupCause,
    hangupCauseText: input.hangupCauseText,
    hangupBy: input.hangupBy,
    transferredBy: input.transferredBy ?? null,
    transferredTo: input.transferredTo ?? null,
    aLegUuid: input.caller?.uuid,
    aStartedAt: input.caller?.startedAt ?? null,
    aAnsweredAt: input.caller?.answeredAt ?? null,
    aEndedAt: input.caller?.endedAt ?? null,
    bLegUuid: input.callee?.uuid ?? null,
    bStartedAt: input.callee?.startedAt ?? null,
    bAnsweredAt: input.callee?.answeredAt ?? null,
    bEndedAt: input.callee?.endedAt ?? null,
    headers: input.headers,
    recordingToken: input.recording?.token ?? null,
  };
}

/** The `cdr` part of pbx.cdr.created, from the row. */
export function cdrEventFields(row: Partial<Cdr>, recordingUrl?: string): CdrFields {
  return {
    started_at: row.startedAt!.toISOString(),
    answered_at: row.answeredAt?.toISOString() ?? null,
    ended_at: row.endedAt!.toISOString(),
    duration: row.duration ?? 0,
    billsec: row.billsec ?? 0,
    disposition: row.disposition as Disposition,
    ...(recordingUrl ? { recording_url: recordingUrl, recording_status: 'pending' as const } : {}),
  };
}
