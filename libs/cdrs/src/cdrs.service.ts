import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError } from '@pbx/common';
import { limitsWhere, TokenLimits } from '@pbx/auth';
import { Cdr } from './cdr.entity';
import { SearchCdrsDto } from './dto/search-cdrs.dto';
import { decodeCursor, encodeCursor } from './cdr-cursor';

/** Call history, newest first, with keyset paging on (started_at, id) so deep pages stay cheap. */
@Injectable()
export class CdrsService {
  constructor(@InjectRepository(Cdr) private readonly cdrs: Repository<Cdr>) {}

  /** `limits`: a limited token sees only the rows of its extensions and trunks, filtered in SQL so paging stays exact. */
  async search(query: SearchCdrsDto, limits?: TokenLimits) {
    const limit = Number(query.limit ?? 100);
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to))
      throw DomainError.invalid('to', 'to must be after from');
    const qb = this.cdrs.createQueryBuilder('c');
    if (query.from) qb.andWhere('c.started_at >= :from', { from: new Date(query.from).toISOString() });
    if (query.to) qb.andWhere('c.started_at < :to', { to: new Date(query.to).toISOString() });
    if (query.extension) qb.andWhere('c.from_extension = :extension', { extension: query.extension });
    if (query.phone) qb.andWhere('c.to_phone = :phone', { phone: query.phone });
    if (query.disposition) qb.andWhere('c.disposition = :disposition', { disposition: query.disposition });
    let n = 0;
    const limited = limitsWhere(limits, { extension: 'c.from_extension', trunk: 'c.trunk_id' }, (value) => {
      const name = `limit${n++}`;
      qb.setParameter(name, value);
      return `:${name}`;
    });
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
    return {
      data: page.map(view),
      next_cursor:
        rows.length > limit && last ? encodeCursor({ startedAt: last.startedAt.toISOString(), id: last.id }) : null,
    };
  }
}

function view(c: Cdr) {
  return {
    call_uuid: c.callUuid,
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
    a_leg: { uuid: c.aLegUuid, started_at: c.aStartedAt, answered_at: c.aAnsweredAt, ended_at: c.aEndedAt },
    b_leg: c.bLegUuid
      ? { uuid: c.bLegUuid, started_at: c.bStartedAt, answered_at: c.bAnsweredAt, ended_at: c.bEndedAt }
      : null,
    headers: c.headers,
  };
}
