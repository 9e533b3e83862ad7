import { Param, PipeTransform, Type } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { IdPipe } from '../validation/id.pipe';

/**
 * `@Param(name, new IdPipe(resource))`, documented as the positive integer it is (reflection
 * alone would say `number`). Any other value names no resource: 404.
 */
export function IdParam(
  resource: string,
  name = 'id',
  pipe: PipeTransform | Type<PipeTransform> = new IdPipe(resource),
): ParameterDecorator {
  return (target, key, index) => {
    Param(name, pipe)(target, key, index);
    const method = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (method)
      ApiParam({ name, schema: { type: 'integer', minimum: 1 }, description: `the ${resource}’s id` })(
        target,
        key!,
        method,
      );
  };
}
