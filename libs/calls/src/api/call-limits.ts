import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@pbx/common';
import { allowsTrunk, TokenLimits, TokensService } from '@pbx/auth';
import { preparedQuery } from '@pbx/database';
import { RouteStep } from '../persistence/call.entity';

/**
 * 403 naming the field: the token is valid but limited away from what the field asks for.
 * (Scope refusals are 403 too; these carry `[{ field, message }]` like validation errors.)
 */
export function limitRefusal(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.Forbidden, 'this token is limited away from the request', [{ field, message }]);
}

/** The route plan without the steps the token may not use (order kept: failover stays the route's). */
export function restrictPlan(limits: TokenLimits | undefined, plan: RouteStep[]): RouteStep[] {
  return plan.filter((step) => allowsTrunk(limits, step.trunkId));
}

/**
 * Takes one of the token's `max` live-call slots, or refuses with 409 concurrent_call_limit.
 * Must run in the transaction that then inserts the call: the token row lock serialises that
 * token's inserts, so the count (a fresh snapshot taken after the lock, in READ COMMITTED) sees
 * every call its concurrent requests committed and two requests cannot both take the last slot.
 * Other tokens are not blocked. The partial index ix_calls_live_token_id keeps the count to the
 * token's live rows, and LIMIT stops it at `max`.
 */
export async function reserveCallSlot(
  manager: EntityManager,
  tokens: TokensService,
  tokenId: number,
  max: number,
): Promise<void> {
  if (!(await tokens.lockForCallSlot(manager, tokenId))) throw new DomainError(ErrorCode.Unauthorized, 'invalid token');
  const { rows } = await preparedQuery<{ live: number }>(
    manager,
    `SELECT count(*)::int AS live FROM (SELECT 1 FROM calls WHERE token_id = $1 AND status <> 'ended' LIMIT $2) AS live_calls`,
    [tokenId, max],
  );
  if (rows[0].live >= max) {
    throw new DomainError(
      ErrorCode.ConcurrentCallLimit,
      `this token already has ${max} live calls, its max_concurrent_calls; retry when one ends`,
      {
        max_concurrent_calls: max,
      },
    );
  }
}
