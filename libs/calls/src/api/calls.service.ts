import { Injectable } from '@nestjs/common';
import { DomainError } from '@pbx/common';
import { allowsCall, TokenLimits } from '@pbx/auth';
import { CallsRepository } from '../persistence/calls.repository';
import { callFields } from '../state/call-event.factory';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class CallsService {
  constructor(private readonly calls: CallsRepository) {}

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
        fromExtension: call.fromExtension,
        trunkIds: [call.trunkId, ...call.routePlan.map((s) => s.trunkId)],
      })
    ) {
      throw DomainError.notFound('call', callUuid);
    }
    const [legs, events] = await Promise.all([this.calls.legsOf(callUuid), this.calls.eventsOf(callUuid)]);
    return {
      ...callFields(call),
      disposition: call.disposition,
      hangup_cause: call.hangupCause,
      hangup_cause_text: call.hangupCauseText,
      hangup_by: call.hangupBy,
      created_at: call.createdAt,
      ended_at: call.endedAt,
      legs: legs.map((l) => ({
        leg: l.leg,
        leg_uuid: l.legUuid,
        endpoint: l.endpoint,
        trunk_id: l.trunkId,
        state: l.state,
        created_at: l.createdAt,
        ringing_at: l.ringingAt,
        answered_at: l.answeredAt,
        ended_at: l.endedAt,
        hangup_cause: l.hangupCause,
        hangup_cause_text: l.hangupCauseText,
      })),
      events: events.map((e) => ({
        id: e.id,
        sequence: e.sequence,
        type: e.type,
        leg: e.leg,
        leg_uuid: e.legUuid,
        occurred_at: e.occurredAt,
      })),
    };
  }
}
