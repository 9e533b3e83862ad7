/** Stable error codes of the API. Every code maps to one HTTP status in http-error.filter.ts. */
export enum ErrorCode {
  InvalidJson = 'invalid_json',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  ValidationFailed = 'validation_failed',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Duplicate = 'duplicate',
  InUse = 'in_use',
  ExtensionOffline = 'extension_offline',
  ConcurrentCallLimit = 'concurrent_call_limit',
  IdempotencyKeyReused = 'idempotency_key_reused',
  /** the dial policy refuses the number (SPEC §2) */
  DestinationDenied = 'destination_denied',
  /** live control (SPEC §3): the call is over */
  CallEnded = 'call_ended',
  /** live control: the call (or the leg) is not answered yet, or a transfer is still ringing */
  CallNotAnswered = 'call_not_answered',
  /** live control: no such leg in the call, or not one that can do this */
  InvalidLeg = 'invalid_leg',
  /** live control: a recording stop while the call is not being recorded */
  RecordingNotActive = 'recording_not_active',
  /** click-to-call `auto_answer` from an extension that does not allow it (SPEC §3) */
  AutoAnswerNotAllowed = 'auto_answer_not_allowed',
  /** a recording link's `Range` starts past the end of the file */
  RangeNotSatisfiable = 'range_not_satisfiable',
  /** the stream's `since` names an event that is not stored (unknown, or older than the 24 h a resume reaches back) */
  SinceExpired = 'since_expired',
  RateLimited = 'rate_limited',
  ServiceUnavailable = 'service_unavailable',
  Internal = 'internal_error',
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
