import { ErrorCode } from './error-code';

export interface FieldProblem {
  field: string;
  message: string;
}

/** What still points at a resource that cannot be deleted or renumbered (a 409 `in_use`). */
export interface Referrer {
  /** e.g. ring_group, inbound_route */
  type: string;
  id: number;
  /** how an admin recognises it: a ring group's name, a route's DID */
  name: string;
}

export type ErrorDetails = Record<string, unknown> | FieldProblem[] | Referrer[] | null;

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

  /** 409 `in_use`, the referrers in `details`. */
  static inUse(resource: string, referrers: Referrer[]): DomainError {
    const names = referrers.map((r) => `${r.type.replace(/_/g, ' ')} ${r.id} (${r.name})`);
    return new DomainError(ErrorCode.InUse, `${resource} is used by ${names.join(', ')}`, referrers);
  }

  static invalid(field: string, message: string): DomainError {
    return new DomainError(ErrorCode.ValidationFailed, 'request validation failed', [{ field, message }]);
  }
}
