import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@pbx/common';
import { IdempotencyKey } from '../persistence/idempotency-key.entity';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** SPEC section 5: a key is remembered this long; later the same key is a new request (retention deletes it) */
export const IDEMPOTENCY_KEY_HOURS = 24;
const FRESH = `created_at > now() - make_interval(hours => ${IDEMPOTENCY_KEY_HOURS})`;

/**
 * Idempotency-Key for click-to-call: a retry with the same key and body within 24 h gets the
 * first answer and places nothing; the same key with another body is refused. An expired key
 * is forgotten: the request places a new call and takes the key over.
 */
@Injectable()
export class Idempotency {
  constructor(private readonly dataSource: DataSource) {}

  /** The stored answer of an earlier request with this key, or null when it is new. */
  async replay<T>(tokenId: number, key: string, requestHash: string): Promise<T | null> {
    if (!IDEMPOTENCY_KEY.test(key))
      throw DomainError.invalid('Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters');
    const [previous] = await this.dataSource.query<Array<{ request_hash: string; response: object }>>(
      `SELECT request_hash, response FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND ${FRESH}`,
      [tokenId, key],
    );
    if (!previous) return null;
    if (previous.request_hash !== requestHash) {
      throw new DomainError(ErrorCode.IdempotencyKeyReused, 'this Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', message: 'already used with a different body' },
      ]);
    }
    return previous.response as unknown as T;
  }

  /**
   * Claims the key for this request's call, in the caller's transaction; false when a concurrent
   * twin claimed it first. An expired key is taken over in the same statement: a twin racing for
   * it waits on the row and then finds it fresh (false), so neither gets a unique violation.
   */
  async claim(
    manager: EntityManager,
    claim: { tokenId: number; key: string; requestHash: string; callUuid: string; response: object },
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO idempotency_keys AS k (token_id, key, request_hash, call_uuid, response, created_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (token_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, call_uuid = EXCLUDED.call_uuid, response = EXCLUDED.response,
             created_at = EXCLUDED.created_at
         WHERE NOT (k.${FRESH})
       RETURNING 1`,
      [claim.tokenId, claim.key, claim.requestHash, claim.callUuid, JSON.stringify(claim.response)],
    );
    return rows.length > 0;
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
