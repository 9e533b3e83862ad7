import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain.error';

/** Turns a unique-constraint violation into a 409 naming the field; rethrows anything else. */
export function rethrowUnique(
  error: unknown,
  resource: string,
  fieldsByConstraint: Record<string, string>,
  value: (field: string) => unknown,
): never {
  const driver = (error as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
  if (
    error instanceof QueryFailedError &&
    driver?.code === '23505' &&
    driver.constraint &&
    driver.constraint in fieldsByConstraint
  ) {
    const field = fieldsByConstraint[driver.constraint];
    throw DomainError.duplicate(resource, field, value(field));
  }
  throw error;
}
