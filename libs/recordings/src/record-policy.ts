/** `record` on extensions and inbound routes (SPEC section 3, Recordings). */
export const RECORD_POLICIES = ['never', 'always'] as const;
export type RecordPolicy = (typeof RECORD_POLICIES)[number];

export const RECORD_RULE =
  '`always`: the calls it takes part in are recorded from the bridge on (a call is recorded when any of its click-to-call request, inbound route or extensions asks)';
