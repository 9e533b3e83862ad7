import { ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ErrorDetails, FieldProblem, Referrer } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

@ApiSchema({ name: 'FieldProblem', description: 'One failing field of a refused request.' })
export class FieldProblemDto implements FieldProblem {
  @ApiProperty({ example: 'number' })
  field: string;

  @ApiProperty({ example: 'number must be 3 to 10 digits' })
  message: string;
}

@ApiSchema({ name: 'Referrer', description: 'What still points at a resource (`in_use`).' })
export class ReferrerDto implements Referrer {
  @ApiProperty({ example: 'ring_group', description: '`ring_group` or `inbound_route`' })
  type: string;

  @ApiProperty({ type: 'integer', example: 3 })
  id: number;

  @ApiProperty({ example: 'Sales', description: "a ring group's name, an inbound route's DID" })
  name: string;
}

@ApiSchema({ name: 'Error' })
export class ErrorDto {
  // stable: a client branches on the code, never on the message
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code: ErrorCode;

  @ApiProperty({ example: 'request validation failed', description: 'for humans; may change' })
  message: string;

  // an array, an object or null: OpenAPI 3.0 has no `type: null`, so the object branch is the nullable one
  @ApiProperty({
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(FieldProblemDto) } },
      { type: 'array', items: { $ref: getSchemaPath(ReferrerDto) } },
      { type: 'object', additionalProperties: true, nullable: true },
    ],
    description:
      'validation_failed, duplicate and a limited token’s forbidden: the failing fields; forbidden by scope: `required_scopes`; ' +
      'in_use: what still points at the resource (an array of Referrer; a trunk: counts by kind); not_found: `resource` and `id`; concurrent_call_limit: `max_concurrent_calls`; internal_error: `error_id` (also in the API log)',
    example: [{ field: 'number', message: 'number must be 3 to 10 digits' }],
  })
  details: ErrorDetails;
}

/** The body of every 4xx and 5xx answer: `{ error: { code, message, details } }`. */
@ApiSchema({ name: 'ErrorBody', description: 'The body of every error answer.' })
export class ErrorBody {
  @ApiProperty({ type: ErrorDto })
  error: ErrorDto;
}
