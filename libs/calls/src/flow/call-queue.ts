import { Logger } from '@nestjs/common';
import { LogFields, withLogFields } from '@pbx/logging';

/**
 * One queue per call: its tasks run one at a time, in arrival order, so a call's changes are
 * applied and acted on in the order Asterisk reported them. Different calls run concurrently.
 */
export class CallQueue {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** `fields` (e.g. the leg) join call_uuid on every line the task logs. */
  run(callUuid: string, task: () => Promise<void>, fields: LogFields = {}): Promise<void> {
    const previous = this.chains.get(callUuid) ?? Promise.resolve();
    const next = previous
      .then(() => withLogFields({ call_uuid: callUuid, ...fields }, task))
      .catch((error) => this.logger.error(`call ${callUuid}: ${error instanceof Error ? error.stack : String(error)}`))
      .finally(() => {
        if (this.chains.get(callUuid) === next) this.chains.delete(callUuid);
      });
    this.chains.set(callUuid, next);
    return next;
  }

  get size(): number {
    return this.chains.size;
  }
}
