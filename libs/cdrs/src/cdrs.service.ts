import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { RecordingRows, recordingUrl } from '@pbx/recordings';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, withoutPlus } from '@pbx/common';
import { limitsWhere, TokenLimits } from '@pbx/auth';
import { Cdr } from './cdr.entity';
import { SearchCdrsDto } from './dto/search-cdrs.dto';
import { decodeCursor, encodeCursor } from './cdr-cursor';

/** Call history, newest first, with keyset paging on (started_at, id) so deep pages stay cheap. */
@Injectable()
export class CdrsService {
  constructor(
    @InjectRepository(Cdr) private readonly cdrs: Repository<Cdr>,
    private readonly recordings: RecordingRows,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `limits`: a limited token sees only the rows of its extensions and trunks, filtered in SQL so paging stays exact. */
  async search(query: SearchCdrsDto, limits?: TokenLimits) {
    const limit = Number(query.limit ?? 100);
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to))
      throw DomainError.invalid('to', 'to must be after from');
    const qb = this.cdrs.createQueryBuilder('c');
    if (query.from) qb.andWhere('c.started_at >= :from', { from: new Date(query.from).toISOString() });
    if (query.to) qb.andWhere('c.started_at < :to', { to: new Date(query.to).toISOString() });
    // each filter leads a keyset index of its own (migrations/1763950000000-FindEveryCall.ts)
    if (query.direction) qb.andWhere('c.direction = :direction', { direction: query.direction });
    if (query.extension) qb.andWhere('c.extension = :extension', { extension: query.extension });
    if (query.phone) qb.andWhere('c.external_number = :phone', { phone: withoutPlus(query.phone) });
    if (query.did) qb.andWhere('c.did = :did', { did: withoutPlus(query.did) });
    if (query.call_uuid) qb.andWhere('c.call_uuid = :callUuid', { callUuid: query.call_uuid.toLowerCase() });
    if (query.disposition) qb.andWhere('c.disposition = :disposition', { disposition: query.disposition });
    let n = 0;
    const limited = limitsWhere(
      limits,
      { extension: 'coalesce(c.extension, c.from_extension)', trunk: 'c.trunk_id' },
      (value) => {
        const name = `limit${n++}`;
        qb.setParameter(name, value);
        return `:${name}`;
      },
    );
    if (limited) qb.andWhere(limited);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      qb.andWhere('(c.started_at, c.id) < (:cursorAt, :cursorId)', { cursorAt: cursor.startedAt, cursorId: cursor.id });
    }
    const rows = await qb
      .orderBy('c.started_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const recordings = await this.recordings.statuses(
      page.map((c) => c.recordingToken).filter((t): t is string => t !== null),
    );
    return {
      data: page.map((c) => ({ ...view(c), ...this.recordingOf(c, recordings) })),
      next_cursor:
        rows.length > limit && last ? encodeCursor({ startedAt: last.startedAt.toISOString(), id: last.id }) : null,
    };
  }

  /** A recorded call's link and its MP3's status; nothing for a call not recorded. */
  private recordingOf(c: Cdr, statuses: Map<string, string>): { recording_url?: string; recording_status?: string } {
    if (!c.recordingToken) return {};
    return {
      recording_url: recordingUrl(this.config.recordings.publicBaseUrl, c.recordingToken),
      recording_status: statuses.get(c.recordingToken) ?? 'deleted',
    };
  }
}

function view(c: Cdr) {
  return {
    call_uuid: c.callUuid,
    direction: c.direction,
    from_number: c.fromNumber,
    to_number: c.toNumber,
    did: c.did,
    extension: c.extension,
    from_extension: c.fromExtension,
    to_phone: c.toPhone,
    caller_id: c.callerId,
    trunk_id: c.trunkId,
    trunk_name: c.trunkName,
    routing_mode: c.routingMode,
    started_at: c.startedAt,
    answered_at: c.answeredAt,
    ended_at: c.endedAt,
    duration: c.duration,
    billsec: c.billsec,
    disposition: c.disposition,
    hangup_cause: c.hangupCause,
    hangup_cause_text: c.hangupCauseText,
    hangup_by: c.hangupBy,
    transferred_by: c.transferredBy,
    transferred_to: c.transferredTo,
    a_leg: { uuid: c.aLegUuid, started_at: c.aStartedAt, answered_at: c.aAnsweredAt, ended_at: c.aEndedAt },
    b_leg: c.bLegUuid
      ? { uuid: c.bLegUuid, started_at: c.bStartedAt, answered_at: c.bAnsweredAt, ended_at: c.bEndedAt }
      : null,
    headers: c.headers,
  };
}
