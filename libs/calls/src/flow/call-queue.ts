import { Logger } from '@nestjs/common';

/**
 * One queue per call: its tasks run one at a time, in arrival order, so a call's changes are
 * applied and acted on in the order Asterisk reported them. Different calls run concurrently.
 */
export class CallQueue {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(callUuid: string, task: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(callUuid) ?? Promise.resolve();
    const next = previous
      .then(task)
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
