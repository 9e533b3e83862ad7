/** A DID as calls are matched on it: one leading + stripped ('+842812345' and '842812345' are one number). */
export function normalizeDid(did: string): string {
  return did.startsWith('+') ? did.slice(1) : did;
}

export interface MatchableInboundRoute {
  /** '' = any number */
  did: string;
  /** null = any trunk */
  trunkId: number | null;
}

/**
 * The route a call to `did` from trunk `trunkId` takes, or null. Precedence (SPEC §2): the DID
 * on that trunk, the DID on any trunk, '' (any number) on that trunk, '' on any trunk. A route
 * on another trunk never matches. DIDs are compared with one leading + stripped.
 */
export function matchInboundRoute<T extends MatchableInboundRoute>(
  routes: readonly T[],
  did: string,
  trunkId: number,
): T | null {
  const wanted = normalizeDid(did);
  const rank = (route: T): number => {
    const routeDid = normalizeDid(route.did);
    const trunkRank = route.trunkId === trunkId ? 0 : route.trunkId === null ? 1 : Infinity;
    if (routeDid === '') return 2 + trunkRank;
    return routeDid === wanted ? trunkRank : Infinity;
  };
  let best: T | null = null;
  let bestRank = Infinity;
  for (const route of routes) {
    const r = rank(route);
    if (r < bestRank) [best, bestRank] = [route, r];
  }
  return best;
}
