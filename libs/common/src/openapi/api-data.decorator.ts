import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';

const wrappers = new Map<string, Type>();

/**
 * The named schema of `{ data: Model }` (or `{ data: Model[] }`): `ExtensionResponse`,
 * `ExtensionListResponse`. Named rather than inline so client generators get readable types.
 */
export function dataWrapperOf(model: Type, isArray = false): Type {
  const name = `${getSchemaPath(model).split('/').pop()}${isArray ? 'List' : ''}Response`;
  let wrapper = wrappers.get(name);
  if (!wrapper) {
    class DataWrapper {
      data: unknown;
    }
    ApiProperty({ type: model, isArray })(DataWrapper.prototype, 'data');
    ApiSchema({ name })(DataWrapper);
    wrappers.set(name, DataWrapper);
    wrapper = DataWrapper;
  }
  return wrapper;
}

interface ApiDataOptions {
  /** 200 unless said */
  status?: 200 | 201 | 202;
  description: string;
  isArray?: boolean;
}

/** A success answer whose body is `{ data: Model }` (`isArray`: `{ data: Model[] }`). */
export function ApiData(
  model: Type,
  { status = 200, description, isArray = false }: ApiDataOptions,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({ status, description, type: dataWrapperOf(model, isArray) }),
  );
}
