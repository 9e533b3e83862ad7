/**
 * What a limited `calls` token may touch (SPEC §5). `null` means unlimited on that axis, so a
 * token without limits has no `limits` at all and every check below passes without work.
 * One definition used by click-to-call, call reads and CDR search, and meant for the control
 * routes, `GET /calls` and the event stream when they come.
 */
export interface TokenLimits {
  /** extension numbers the token may place calls from and read calls of */
  extensions: string[] | null;
  /** trunks the token may place calls through and read calls of */
  trunkIds: number[] | null;
  /** live (not ended) calls the token may have at once */
  maxConcurrentCalls: number | null;
}

/** From a token row; undefined when it has no limit at all, so the common case is one falsy check. */
export function limitsOf(row: { [K in keyof TokenLimits]?: TokenLimits[K] }): TokenLimits | undefined {
  const limits: TokenLimits = {
    extensions: row.extensions ?? null,
    trunkIds: row.trunkIds ?? null,
    maxConcurrentCalls: row.maxConcurrentCalls ?? null,
  };
  if (limits.extensions === null && limits.trunkIds === null && limits.maxConcurrentCalls === null) return undefined;
  return limits;
}

/** A call about no extension (an inbound call nobody answered yet) is outside an extension limit. */
export function allowsExtension(limits: TokenLimits | undefined, extension: string | null): boolean {
  return !limits?.extensions || (extension !== null && limits.extensions.includes(extension));
}

export function allowsTrunk(limits: TokenLimits | undefined, trunkId: number): boolean {
  return !limits?.trunkIds || limits.trunkIds.includes(trunkId);
}

/**
 * A stored call is visible to the token when its extension is allowed and every trunk it is
 * tied to (the explicit trunk, the route plan's trunks, the trunk that carried it) is allowed.
 * A call tied to no trunk yet passes the trunk axis: no trunk of another tenant carried it.
 */
export function allowsCall(
  limits: TokenLimits | undefined,
  call: { fromExtension: string | null; trunkIds: Array<number | null | undefined> },
): boolean {
  if (!limits) return true;
  return (
    allowsExtension(limits, call.fromExtension) &&
    call.trunkIds.every((id) => id === null || id === undefined || allowsTrunk(limits, id))
  );
}

/** Columns of the table being read, as SQL expressions (e.g. `c.from_extension`). */
export interface LimitColumns {
  extension: string;
  /** nullable integer trunk column; null passes (no trunk carried the row) */
  trunk: string;
  /** optional jsonb array of `{ trunkId }` steps (calls.route_plan): each must be allowed */
  routePlan?: string;
}

/** Registers a parameter value and returns its placeholder in the query being built. */
export type Placeholder = (value: unknown) => string;

/** Placeholders `$n` for plain SQL: values are appended to `parameters` (which may hold some already). */
export function positional(parameters: unknown[]): Placeholder {
  return (value) => `$${parameters.push(value)}`;
}

/**
 * The SQL form of `allowsCall`, for list reads that must filter in the database (so keyset
 * paging keeps working). null when the token has no read limit, so the query of an unlimited
 * token stays unchanged. `CAST` rather than `::` so query builders with `:name` parameters
 * read it right.
 */
export function limitsWhere(
  limits: TokenLimits | undefined,
  columns: LimitColumns,
  placeholder: Placeholder,
): string | null {
  if (!limits || (limits.extensions === null && limits.trunkIds === null)) return null;
  const clauses: string[] = [];
  if (limits.extensions !== null)
    clauses.push(`${columns.extension} = ANY(CAST(${placeholder(limits.extensions)} AS varchar[]))`);
  if (limits.trunkIds !== null) {
    const trunks = `CAST(${placeholder(limits.trunkIds)} AS int[])`;
    clauses.push(`(${columns.trunk} IS NULL OR ${columns.trunk} = ANY(${trunks}))`);
    if (columns.routePlan) {
      clauses.push(
        `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${columns.routePlan}) AS step WHERE NOT (CAST(step->>'trunkId' AS int) = ANY(${trunks})))`,
      );
    }
  }
  return clauses.join(' AND ');
}
