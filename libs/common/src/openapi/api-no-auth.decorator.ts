import { DECORATORS } from '@nestjs/swagger';

/**
 * Documents `security: []`: the route needs no token, overriding the document's default bearer
 * requirement (the auth guard protects every route unless it is public).
 */
export function ApiNoAuth(): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(DECORATORS.API_SECURITY, [], descriptor ? (descriptor.value as object) : target);
  };
}
