import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { RecordingRows, recordingUrl } from '@pbx/recordings';
import { DomainError, withoutPlus } from '@pbx/common';
import { allowsCall, AuthContext, TokenLimits } from '@pbx/auth';
import { CallCommands } from '../control/call-commands';
import { CallCommand, outcomeError } from '../control/command';
import { Call } from '../persistence/call.entity';
import { CallsRepository } from '../persistence/calls.repository';
import { callFields } from '../state/call-event.factory';
import { decodeCallCursor, encodeCallCursor } from './call-cursor';
import { ListCallsDto } from './list-calls.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class CallsService {
  constructor(
    private readonly calls: CallsRepository,
    private readonly commands: CallCommands,
    private readonly recordings: RecordingRows,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A control request on a live call (SPEC section 3): the call must be one the token may see
   * (else 404, as GET); the worker carries it out and its refusal is the answer. Then the call.
   */
  async control(callUuid: string, command: CallCommand, auth: AuthContext) {
    await this.get(callUuid, auth.limits);
    const error = outcomeError(await this.commands.run(callUuid, command, auth.tokenId));
    if (error) throw error;
    return this.get(callUuid, auth.limits);
  }

  /**
   * Calls of every direction, live or ended, newest first, `{ data, next_cursor }` as GET /cdrs.
   * A limited token sees only its own calls, filtered in SQL so pages stay full.
   */
  async list(query: ListCallsDto, limits?: TokenLimits) {
    const limit = Number(query.limit ?? 100);
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to))
      throw DomainError.invalid('to', 'to must be after from');
    const rows = await this.calls.list(
      {
        status: query.status,
        direction: query.direction,
        extension: query.extension,
        phone: query.phone === undefined ? undefined : withoutPlus(query.phone),
        from: query.from && new Date(query.from).toISOString(),
        to: query.to && new Date(query.to).toISOString(),
        after: query.cursor ? decodeCallCursor(query.cursor) : undefined,
        limit: limit + 1,
      },
      limits,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => callSummary(row.call)),
      next_cursor:
        rows.length > limit && last
          ? encodeCallCursor({ createdAt: last.createdAtExact, callUuid: last.call.callUuid })
          : null,
    };
  }

  /**
   * The call, both legs and its event timeline. A call outside the token's limits is 404, as
   * an unknown one: a limited token must not learn which calls exist beyond its own.
   */
  async get(callUuid: string, limits?: TokenLimits) {
    if (!UUID.test(callUuid)) throw DomainError.notFound('call', callUuid.slice(0, 40));
    const call = await this.calls.findCall(callUuid);
    if (
      !call ||
      !allowsCall(limits, {
        fromExtension: call.extension ?? call.fromExtension,
        trunkIds: [call.trunkId, ...call.routePlan.map((s) => s.trunkId)],
      })
    ) {
      throw DomainError.notFound('call', callUuid);
    }
    const [legs, events, recording] = await Promise.all([
      this.calls.legsOf(callUuid),
      this.calls.eventsOf(callUuid),
      this.recordings.statusOfCall(callUuid),
    ]);
    return {
      ...callSummary(call),
      legs: legs.map((l) => ({
        leg: l.leg,
        role: l.leg === 'a' ? ('caller' as const) : ('callee' as const),
        leg_uuid: l.legUuid,
        channel_id: l.channelId,
        extension: l.extension,
        endpoint: l.endpoint,
        trunk_id: l.trunkId,
        state: l.state,
        created_at: l.createdAt,
        ringing_at: l.ringingAt,
        answered_at: l.answeredAt,
        ended_at: l.endedAt,
        hangup_cause: l.hangupCause,
        hangup_cause_text: l.hangupCauseText,
        on_hold: l.onHold,
        released: l.released,
      })),
      events: events.map((e) => ({
        id: e.id,
        sequence: e.sequence,
        type: e.type,
        leg: e.leg,
        leg_uuid: e.legUuid,
        occurred_at: e.occurredAt,
      })),
      ...(recording
        ? {
            recording_url: recordingUrl(this.config.recordings.publicBaseUrl, recording.token),
            recording_status: recording.status,
          }
        : {}),
    };
  }
}

/** A call's own fields: an item of GET /calls, and GET /calls/:uuid without its legs and events. */
export function callSummary(call: Call) {
  return {
    ...callFields(call),
    direction: call.direction,
    disposition: call.disposition,
    hangup_cause: call.hangupCause,
    hangup_cause_text: call.hangupCauseText,
    hangup_by: call.hangupBy,
    transferred_by: call.transferredBy,
    transferred_to: call.transferredTo,
    created_at: call.createdAt,
    ended_at: call.endedAt,
  };
}
