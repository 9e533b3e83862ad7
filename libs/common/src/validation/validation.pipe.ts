import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldProblem } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export function validationFailed(problems: FieldProblem[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, 'request validation failed', problems);
}

/**
 * class-validator with the API's rules: unknown fields are refused, no implicit type
 * conversion (a number sent as a string is an error), and a 422 that names each field.
 */
@Injectable()
export class ApiValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // path params are parsed by their own pipes (IdPipe): no implicit Number('abc') = NaN here
    if (metadata.type === 'param' || metadata.type === 'custom') return value;
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw validationFailed([{ field: 'body', message: 'body must be a JSON object' }]);
      }
    }
    const problem = shapeProblem(value, metadata.type);
    if (problem) throw validationFailed([problem]);
    return this.inner.transform(value, metadata);
  }
}

/** No field of the API nests deeply; a deep body would overflow class-transformer's recursion. */
const MAX_DEPTH = 32;
/** NUL (PostgreSQL text refuses it) or a lone UTF-16 surrogate (not Unicode; jsonb refuses it) */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What no route accepts, checked before class-transformer sees the value: nesting deeper than
 * MAX_DEPTH, and strings (keys or values) that PostgreSQL cannot store.
 */
export function shapeProblem(value: unknown, root: string): FieldProblem | null {
  const stack: Array<[unknown, number, string]> = [[value, 0, root]];
  while (stack.length > 0) {
    const [item, depth, field] = stack.pop()!;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) return { field, message: 'must be valid Unicode text without NUL characters' };
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_DEPTH) return { field: root, message: `nested deeper than ${MAX_DEPTH} levels` };
    for (const [key, child] of Object.entries(item)) {
      const path = depth === 0 ? key : `${field}.${key}`;
      if (UNSTORABLE.test(key))
        return { field: root, message: 'keys must be valid Unicode text without NUL characters' };
      stack.push([child, depth + 1, path]);
    }
  }
  return null;
}
