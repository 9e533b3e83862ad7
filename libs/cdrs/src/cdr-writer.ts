import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CdrFields } from '@pbx/call-events';
import { Cdr } from './cdr.entity';
import { CdrInput, cdrEventFields, cdrRow } from './cdr-record';

/** Writes a call's CDR inside the transaction that ends the call. */
@Injectable()
export class CdrWriter {
  /** Exactly one CDR per call (unique on call_uuid): the fields for pbx.cdr.created, or null if it already existed. */
  async record(manager: EntityManager, input: CdrInput): Promise<CdrFields | null> {
    const row = cdrRow(input);
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(Cdr)
      .values(row)
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.identifiers.length === 0 || !(inserted.raw as unknown[] | undefined)?.length) return null;
    return cdrEventFields(row, input.recording?.url);
  }
}
