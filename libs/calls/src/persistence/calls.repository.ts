import { Injectable } from '@nestjs/common';
import { DataSource, Not } from 'typeorm';
import { limitsWhere, TokenLimits } from '@pbx/auth';
import { CallStatus } from '../state/call.state';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { StoredCallEvent } from './stored-call-event.entity';

/** GET /api/pbx/calls, its values already checked and normalised (numbers without `+`). */
export interface CallListFilter {
  status?: 'live' | 'ended';
  direction?: string;
  extension?: string;
  /** matched against external_number */
  phone?: string;
  /** created_at range, ISO */
  from?: string;
  to?: string;
  /** after this (created_at with microseconds, call_uuid), newest first */
  after?: { createdAt: string; callUuid: string };
  limit: number;
}

/** A listed call and its exact created_at (microseconds, for the next page's cursor). */
export interface ListedCall {
  call: Call;
  createdAtExact: string;
}

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

  /**
   * Calls newest first on (created_at, call_uuid), keyset paged; each filter leads an index of
   * its own (migrations/1763950000000-FindEveryCall.ts). A limited token's limits are a WHERE
   * clause, so pages stay full and exact. Reads `limit` rows; the caller asks one more than a
   * page to know whether another follows.
   */
  async list(filter: CallListFilter, limits?: TokenLimits): Promise<ListedCall[]> {
    const qb = this.dataSource.getRepository(Call).createQueryBuilder('c');
    if (filter.status === 'live') qb.andWhere(`c.status <> 'ended'`);
    if (filter.status === 'ended') qb.andWhere(`c.status = 'ended'`);
    if (filter.direction) qb.andWhere('c.direction = :direction', { direction: filter.direction });
    if (filter.extension) qb.andWhere('c.extension = :extension', { extension: filter.extension });
    if (filter.phone) qb.andWhere('c.external_number = :phone', { phone: filter.phone });
    if (filter.from) qb.andWhere('c.created_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('c.created_at < :to', { to: filter.to });
    let n = 0;
    const limited = limitsWhere(
      limits,
      // as GET /calls/:uuid judges one call (CallsService.get)
      { extension: 'coalesce(c.extension, c.from_extension)', trunk: 'c.trunk_id', routePlan: 'c.route_plan' },
      (value) => {
        const name = `limit${n++}`;
        qb.setParameter(name, value);
        return `:${name}`;
      },
    );
    if (limited) qb.andWhere(limited);
    if (filter.after)
      qb.andWhere('(c.created_at, c.call_uuid) < (:afterAt, :afterUuid)', {
        afterAt: filter.after.createdAt,
        afterUuid: filter.after.callUuid,
      });
    const { entities, raw } = await qb
      .addSelect(`to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'created_at_exact')
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.call_uuid', 'DESC')
      .limit(filter.limit)
      .getRawAndEntities<{ created_at_exact: string }>();
    return entities.map((call, i) => ({ call, createdAtExact: raw[i].created_at_exact }));
  }

  /** Calls not ended yet, oldest first (reconcile). */
  openCalls(limit: number): Promise<Call[]> {
    return this.dataSource
      .getRepository(Call)
      .find({ where: { status: Not(CallStatus.Ended) }, order: { createdAt: 'ASC' }, take: limit });
  }

  /** The call an Asterisk channel belongs to, or null. */
  async callOfChannel(channelId: string): Promise<string | null> {
    const leg = await this.dataSource
      .getRepository(CallLeg)
      .findOne({ where: { channelId }, select: { callUuid: true, legUuid: true } });
    return leg?.callUuid ?? null;
  }

  /** Of these Asterisk channel ids, those that are legs of our calls. */
  async knownChannels(channelIds: string[]): Promise<Set<string>> {
    if (channelIds.length === 0) return new Set();
    const rows: Array<{ channel_id: string }> = await this.dataSource.query(
      'SELECT channel_id FROM call_legs WHERE channel_id = ANY($1)',
      [channelIds],
    );
    return new Set(rows.map((r) => r.channel_id));
  }

  /** Live calls (metrics). */
  /** Of `callUuids`, those that ended over `seconds` ago. */
  async endedBefore(callUuids: readonly string[], seconds: number): Promise<Set<string>> {
    if (callUuids.length === 0) return new Set();
    const rows = await this.dataSource.query<{ call_uuid: string }[]>(
      `SELECT call_uuid FROM calls
        WHERE call_uuid = ANY($1::uuid[]) AND status = 'ended' AND ended_at < now() - make_interval(secs => $2)`,
      [callUuids, seconds],
    );
    return new Set(rows.map((r) => r.call_uuid));
  }

  async countLive(): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
      "SELECT count(*)::int AS count FROM calls WHERE status <> 'ended'",
    );
    return count;
  }
}
