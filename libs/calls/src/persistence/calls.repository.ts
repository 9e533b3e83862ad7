import { Injectable } from '@nestjs/common';
import { DataSource, Not } from 'typeorm';
import { CallStatus } from '../state/call.state';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { StoredCallEvent } from './stored-call-event.entity';

/** Reads of the calls tables outside the funnel (the funnel writes through CallRows). */
@Injectable()
export class CallsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findCall(callUuid: string): Promise<Call | null> {
    return this.dataSource.getRepository(Call).findOne({ where: { callUuid } });
  }

  legsOf(callUuid: string): Promise<CallLeg[]> {
    return this.dataSource.getRepository(CallLeg).find({ where: { callUuid }, order: { createdAt: 'ASC' } });
  }

  eventsOf(callUuid: string): Promise<StoredCallEvent[]> {
    return this.dataSource.getRepository(StoredCallEvent).find({ where: { callUuid }, order: { sequence: 'ASC' } });
  }

  /** Calls not ended yet, oldest first (reconcile). */
  openCalls(limit: number): Promise<Call[]> {
    return this.dataSource
      .getRepository(Call)
      .find({ where: { status: Not(CallStatus.Ended) }, order: { createdAt: 'ASC' }, take: limit });
  }

  /** The call a leg belongs to, or null. */
  async callOfLeg(legUuid: string): Promise<string | null> {
    const leg = await this.dataSource
      .getRepository(CallLeg)
      .findOne({ where: { legUuid }, select: { callUuid: true, legUuid: true } });
    return leg?.callUuid ?? null;
  }

  /** Live calls (metrics). */
  async countLive(): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
      "SELECT count(*)::int AS count FROM calls WHERE status <> 'ended'",
    );
    return count;
  }
}
