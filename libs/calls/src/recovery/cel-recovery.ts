import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CelRow, ChannelHistory } from '@pbx/asterisk';
import { ExtensionsService } from '@pbx/extensions';
import { CallStateFunnel } from '../persistence/call-state.funnel';
import { CallsRepository } from '../persistence/calls.repository';
import { recoveredCallOf } from './cel-call';

/** linkedids read per batch, and batches per run (the rest waits for the next run) */
const BATCH = 200;
const BATCHES_PER_RUN = 25;
/**
 * A call this process may still be recording (its channel hung up while the worker was taking
 * it) is left alone for this long after Asterisk finished it; one that finished before this
 * process started cannot be, and is taken at once.
 */
const GRACE_MS = 15_000;

/**
 * Turns the calls that happened without the worker (it was stopped, restarting or stuck: the
 * dialplan's own Dial() between extensions, carriers' calls refused with cause 34) into calls,
 * legs, events and CDRs from Asterisk's channel event log, at start and with every reconcile
 * run. Each finished linkedid is accounted for exactly once (ChannelHistory.account, in the
 * transaction that writes the call): calls whose channels are our legs are `handled`, the others
 * `recovered` or `skipped`. Then the log is purged, which keeps what is not accounted for.
 */
@Injectable()
export class CelRecovery {
  private readonly logger = new Logger('cel-recovery');
  private readonly startedAt = Date.now();

  constructor(
    private readonly history: ChannelHistory,
    private readonly calls: CallsRepository,
    private readonly funnel: CallStateFunnel,
    private readonly extensions: ExtensionsService,
  ) {}

  /** One pass over what Asterisk finished; returns how many calls were recorded. */
  async run(now = Date.now()): Promise<number> {
    let recorded = 0;
    const before = new Date(Math.max(this.startedAt, now - GRACE_MS));
    for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
      const groups = await this.history.unaccounted(before, BATCH);
      if (groups.size === 0) break;
      recorded += await this.recordBatch(groups);
      if (groups.size < BATCH) break;
    }
    await this.history.purge();
    return recorded;
  }

  private async recordBatch(groups: Map<string, CelRow[]>): Promise<number> {
    const channels = [...groups.values()].flatMap((rows) => rows.map((r) => r.uniqueid));
    const ours = await this.calls.knownChannels(channels);
    const handled: string[] = [];
    const skipped: string[] = [];
    let recorded = 0;
    for (const [linkedid, rows] of groups) {
      if (rows.some((r) => ours.has(r.uniqueid))) {
        handled.push(linkedid);
        continue;
      }
      const recovered = recoveredCallOf(linkedid, rows, await this.extensionsDialled(rows));
      if (!recovered) {
        skipped.push(linkedid);
        continue;
      }
      const { call, caller, changes } = recovered;
      try {
        const claim = async (manager: EntityManager) =>
          (await this.history.account([linkedid], 'recovered', call.callUuid, manager)).length === 1;
        if (await this.funnel.recover(call, caller, changes, claim)) recorded += 1;
      } catch (error) {
        // e.g. the worker recorded it meanwhile (a leg's channel id is unique): the next run sees it as handled
        this.logger.warn(
          `linkedid ${linkedid}: not recovered: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await this.history.account(handled, 'handled');
    await this.history.account(skipped, 'skipped');
    return recorded;
  }

  /** Of the numbers the linkedid's phone dialled, those that are extensions (internal, not outbound). */
  private async extensionsDialled(rows: CelRow[]): Promise<Set<string>> {
    const dialled = new Set(rows.filter((r) => r.context === 'pbx-internal' && r.exten).map((r) => r.exten!));
    const found = new Set<string>();
    for (const number of dialled) if (await this.extensions.findByNumber(number)) found.add(number);
    return found;
  }
}
