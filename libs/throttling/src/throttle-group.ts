import { SetMetadata } from '@nestjs/common';

/** A fixed-window budget: `limit` requests per `windowMs`, per subject (a token or an address). */
export interface RatePolicy {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Budgets per API token, one per group: every route of a group draws from the token's one
 * budget for that group (RATE_LIMIT_PER_TOKEN, 600 a minute, across all the routes of
 * `default`, not per route).
 */
export function throttleGroups(tokenLimit: number) {
  return {
    /** anti-spam budget of the Zorio contract */
    'click-to-call': { name: 'click-to-call', limit: 10, windowMs: 60_000 },
    default: { name: 'default', limit: tokenLimit, windowMs: 60_000 },
  } as const satisfies Record<string, RatePolicy>;
}
export type ThrottleGroupName = keyof ReturnType<typeof throttleGroups>;

export const THROTTLE_GROUP = 'pbx:throttle-group';
/** Puts a route (or controller) in a rate-limit group; routes without one use `default`. */
export const ThrottleGroup = (group: ThrottleGroupName) => SetMetadata(THROTTLE_GROUP, group);
