import type { Referrer } from '@pbx/common';

/**
 * A domain that names extensions by number (ring groups, inbound routes): who points at a
 * number, for the 409 `in_use` on deleting or renumbering it. Those domains register one with
 * ExtensionsService, so this domain never reads their tables and they never read its.
 */
export interface ExtensionReferrer {
  referrersOf(number: string): Promise<Referrer[]>;
}
