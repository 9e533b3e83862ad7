/** Prefix lists of digits (the international marker, + or 00, is never part of one). */
export interface DialPolicy {
  allowedPrefixes: readonly string[];
  deniedPrefixes: readonly string[];
}

export interface DialPolicyDecision {
  allowed: boolean;
  /** why, for the 422 and the log: which number, and which prefix or default decided */
  reason: string;
}

/**
 * How a dialled string is judged: international when it begins with + or 00 (either one,
 * once), compared without that marker. `+84 98…`, `0084 98…` and `84 98…` all compare as
 * `8498…`; only the first two are international.
 */
export function classifyNumber(number: string): { international: boolean; digits: string } {
  if (number.startsWith('+')) return { international: true, digits: number.slice(1) };
  if (number.startsWith('00')) return { international: true, digits: number.slice(2) };
  return { international: false, digits: number };
}

function longestMatch(prefixes: readonly string[], digits: string): string | null {
  let best: string | null = null;
  for (const prefix of prefixes) {
    if (digits.startsWith(prefix) && (best === null || prefix.length > best.length)) best = prefix;
  }
  return best;
}

/** The decision for one dialled string: the longest matching prefix across both lists (a tie denies), else the default. */
export function decideNumber(policy: DialPolicy, number: string, what: string): DialPolicyDecision {
  const { international, digits } = classifyNumber(number);
  const allowed = longestMatch(policy.allowedPrefixes, digits);
  const denied = longestMatch(policy.deniedPrefixes, digits);
  if (denied !== null && (allowed === null || denied.length >= allowed.length))
    return { allowed: false, reason: `${what} ${number} matches the denied prefix ${denied}` };
  if (allowed !== null) return { allowed: true, reason: `${what} ${number} matches the allowed prefix ${allowed}` };
  return international
    ? { allowed: false, reason: `${what} ${number} is international and no allowed prefix matches it` }
    : { allowed: true, reason: `${what} ${number} is national and no prefix matches it` };
}

/**
 * May a call go out to `requested` (the number as asked for: click-to-call's to_phone, the
 * digits a phone dialled) sent to the trunk as `final` (after the route's strip and prepend)?
 * Both are checked, each by decideNumber, and either refusing refuses (SPEC §2): a route that
 * prepends `+` to a national number makes its final string international, and a strip can
 * turn `0084…` into a national-looking string, so neither alone is enough.
 */
export function dialPolicyDecision(policy: DialPolicy, requested: string, final: string): DialPolicyDecision {
  const asked = decideNumber(policy, requested, 'the number');
  if (!asked.allowed || final === requested) return asked;
  const sent = decideNumber(policy, final, 'the dial string');
  return sent.allowed ? { allowed: true, reason: `${asked.reason}; ${sent.reason}` } : sent;
}
