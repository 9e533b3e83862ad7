import { SetMetadata } from '@nestjs/common';

/** Rate-limit groups, each with its own budget per token. */
export const THROTTLE_GROUPS = {
  /** anti-spam budget of the Zorio contract */
  'click-to-call': { limit: 10, ttl: 60_000 },
  default: { limit: 600, ttl: 60_000 },
} as const;
export type ThrottleGroupName = keyof typeof THROTTLE_GROUPS;

export const THROTTLE_GROUP = 'pbx:throttle-group';
/** Puts a route (or controller) in a rate-limit group; routes without one use `default`. */
export const ThrottleGroup = (group: ThrottleGroupName) => SetMetadata(THROTTLE_GROUP, group);
