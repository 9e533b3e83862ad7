/** What went wrong with an ARI request, from the HTTP status alone (never from message text). */
export type AriErrorKind = 'bad_request' | 'not_found' | 'not_in_stasis' | 'invalid_state' | 'unavailable' | 'other';

/**
 * A refused or failed ARI request. ARI's statuses are stable where its messages are not:
 * 404 the channel or bridge does not exist (any more), 409 the channel is not in our Stasis
 * application (yet), 422 it is in a state that does not allow the operation.
 */
export class AriError extends Error {
  readonly kind: AriErrorKind;

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.kind = kindOf(status);
  }

  static is(error: unknown, kind: AriErrorKind): boolean {
    return error instanceof AriError && error.kind === kind;
  }
}

function kindOf(status: number): AriErrorKind {
  if (status === 400) return 'bad_request';
  if (status === 404) return 'not_found';
  if (status === 409) return 'not_in_stasis';
  if (status === 422) return 'invalid_state';
  // 0: no answer at all (refused, reset, timed out)
  if (status === 0 || status >= 500) return 'unavailable';
  return 'other';
}
