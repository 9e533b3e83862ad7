import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { Optional } from '@pbx/common';

export const HEADER_KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** printable text only: a CR, LF or other control character would let a value inject SIP headers */
const HEADER_VALUE = /^[^\x00-\x1f\x7f]{0,200}$/;
const MAX_HEADERS = 20;

function headerProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'headers must be an object of strings';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) return `headers may have at most ${MAX_HEADERS} entries`;
  for (const [key, item] of entries) {
    if (!HEADER_KEY.test(key)) return `headers key "${key.slice(0, 64)}" must match ${HEADER_KEY.source}`;
    if (typeof item !== 'string') return `headers.${key} must be a string`;
    if (item.length > 200) return `headers.${key} must be at most 200 characters`;
    if (!HEADER_VALUE.test(item)) return `headers.${key} must not contain control characters (CR, LF, ...)`;
  }
  return null;
}

@ApiSchema({ name: 'ClickToCallRequest' })
export class ClickToCallDto {
  @ApiProperty({ example: '1001', pattern: '^[0-9]{3,10}$' })
  @IsString()
  @Matches(/^[0-9]{3,10}$/, { message: 'from_extension must be 3 to 10 digits' })
  from_extension: string;

  @ApiProperty({ example: '0987654321', pattern: '^[0-9+]+$', minLength: 3, maxLength: 32 })
  @IsString()
  @Length(3, 32)
  @Matches(/^[0-9+]+$/, { message: 'to_phone must contain only digits and +' })
  to_phone: string;

  @ApiPropertyOptional({
    example: '02873001234',
    description: 'one of GET /api/pbx/caller-ids, the extension number or its outbound_caller_id',
  })
  @Optional()
  @IsString()
  @Matches(/^(?=.{3,32}$)\+?[0-9]+$/, { message: 'caller_id must be 3 to 32 digits, optionally starting with +' })
  caller_id?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 4, description: 'wins over trunk_name' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  trunk_id?: number;

  @ApiPropertyOptional({ example: 'POC', maxLength: 100 })
  @Optional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[^\x00-\x1f\x7f]*$/, { message: 'trunk_name must not contain control characters' })
  trunk_name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 200 },
    maxProperties: MAX_HEADERS,
    example: { 'Crm-Ticket': 'T-42' },
    description: `sent on the B-leg INVITE as X-<key>; keys match ${HEADER_KEY.source}, values have no control characters`,
  })
  @Optional()
  @IsObject()
  @ValidateBy({
    name: 'sipHeaders',
    validator: {
      validate: (value: unknown) => headerProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) => headerProblem(args?.value) ?? 'invalid headers',
    },
  })
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    default: false,
    description:
      "ask the agent's phone to answer by itself (Call-Info answer-after=0, Alert-Info alert-autoanswer, Answer-Mode: Auto, P-Auto-answer: normal on the agent's INVITE only); the extension must have `auto_answer_allowed`",
  })
  @Optional()
  @IsBoolean()
  auto_answer?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      "record the call from the moment both sides are bridged (the agent's extension or a later `POST /calls/{call_uuid}/recording` may also ask); `pbx.cdr.created` then carries `recording_url`",
  })
  @Optional()
  @IsBoolean()
  record?: boolean;
}
