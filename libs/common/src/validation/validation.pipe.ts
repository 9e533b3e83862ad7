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
    if (depthOver(value, MAX_DEPTH)) throw validationFailed([{ field: metadata.type, message: `nested deeper than ${MAX_DEPTH} levels` }]);
    return this.inner.transform(value, metadata);
  }
}

/** No field of the API nests deeply; a deep body would overflow class-transformer's recursion. */
const MAX_DEPTH = 32;

function depthOver(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item as object)) stack.push([child, depth + 1]);
  }
  return false;
}
