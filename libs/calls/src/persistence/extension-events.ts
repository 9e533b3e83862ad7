import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CALL_EVENT_SINK, CallEventSink, EVENTS_CHANNEL, ExtensionEventRecord, ExtensionState } from '@pbx/call-events';
import { preparedQuery } from '@pbx/database';

/** The stored record of an extension's state change (pure: the id and time are given). */
export function stateChangedRecord(
  id: string,
  number: string,
  state: ExtensionState,
  previousState: ExtensionState,
  at: Date,
): ExtensionEventRecord {
  return {
    id,
    type: 'pbx.extension.state_changed',
    occurred_at: at.toISOString(),
    extension: { number, state, previous_state: previousState },
  };
}

/**
 * Stores extension events in call_events (this domain owns the table): no call, no sequence,
 * `extension` set; the real-time stream is woken (NOTIFY pbx_events, at commit) by the same
 * statement, and the webhook outbox gets the event in the caller's transaction, like the call
 * funnel's events.
 */
@Injectable()
export class ExtensionEvents {
  constructor(@Inject(CALL_EVENT_SINK) private readonly sink: CallEventSink) {}

  async store(manager: EntityManager, event: ExtensionEventRecord): Promise<void> {
    await preparedQuery(
      manager,
      `WITH stored AS (
         INSERT INTO call_events (id, extension, type, occurred_at, payload)
         VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING 1
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM stored`,
      [event.id, event.extension.number, event.type, event.occurred_at, JSON.stringify(event)],
    );
    await this.sink.enqueue(manager, event);
  }

  stateChanged(number: string, state: ExtensionState, previousState: ExtensionState, at: Date): ExtensionEventRecord {
    return stateChangedRecord(randomUUID(), number, state, previousState, at);
  }
}
