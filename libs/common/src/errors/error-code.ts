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
  RateLimited = 'rate_limited',
  ServiceUnavailable = 'service_unavailable',
  Internal = 'internal_error',
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
