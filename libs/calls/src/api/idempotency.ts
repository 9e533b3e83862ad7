import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@pbx/common';
import { IdempotencyKey } from '../persistence/idempotency-key.entity';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key for click-to-call: a retry with the same key and body gets the first
 * answer and places nothing; the same key with another body is refused.
 */
@Injectable()
export class Idempotency {
  constructor(private readonly dataSource: DataSource) {}

  /** The stored answer of an earlier request with this key, or null when it is new. */
  async replay<T>(tokenId: number, key: string, requestHash: string): Promise<T | null> {
    if (!IDEMPOTENCY_KEY.test(key))
      throw DomainError.invalid('Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters');
    const previous = await this.dataSource.getRepository(IdempotencyKey).findOne({ where: { tokenId, key } });
    if (!previous) return null;
    if (previous.requestHash !== requestHash) {
      throw new DomainError(ErrorCode.IdempotencyKeyReused, 'this Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', message: 'already used with a different body' },
      ]);
    }
    return previous.response as unknown as T;
  }

  /** Claims the key for this request's call, in the caller's transaction; false when a concurrent twin claimed it first. */
  async claim(
    manager: EntityManager,
    claim: { tokenId: number; key: string; requestHash: string; callUuid: string; response: object },
  ): Promise<boolean> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKey)
      .values(claim)
      .orIgnore()
      .execute();
    return ((inserted.raw as unknown[] | undefined)?.length ?? 0) > 0;
  }

  /** A call that was not placed must not be replayed. */
  async release(tokenId: number, key: string): Promise<void> {
    await this.dataSource.getRepository(IdempotencyKey).delete({ tokenId, key });
  }
}

/** The request as the key remembers it: fields and headers, in a stable order. */
export function hashRequest(dto: object & { headers?: Record<string, string> }): string {
  const { headers, ...fields } = dto;
  const canonical = JSON.stringify([Object.entries(fields).sort(), Object.entries(headers ?? {}).sort()]);
  return createHash('sha256').update(canonical).digest('hex');
}
