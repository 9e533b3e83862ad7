import { ErrorCode } from './error-code';

export interface FieldProblem {
  field: string;
  message: string;
}

export type ErrorDetails = Record<string, unknown> | FieldProblem[] | null;

/** An error the caller can act on; the HTTP filter turns it into `{ error: { code, message, details } }`. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = null,
  ) {
    super(message);
  }

  static notFound(resource: string, id: string | number): DomainError {
    return new DomainError(ErrorCode.NotFound, `${resource} ${id} not found`, { resource, id });
  }

  static duplicate(resource: string, field: string, value: unknown): DomainError {
    return new DomainError(ErrorCode.Duplicate, `${resource} with this ${field} already exists`, [
      { field, message: `${field} ${JSON.stringify(value)} is already used` },
    ]);
  }

  static invalid(field: string, message: string): DomainError {
    return new DomainError(ErrorCode.ValidationFailed, 'request validation failed', [{ field, message }]);
  }
}
