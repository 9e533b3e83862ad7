import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Matches } from 'class-validator';

export const PREFIX = /^[0-9]{1,15}$/;
export const MAX_PREFIXES = 500;

const PrefixesRule = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_PREFIXES),
    ArrayUnique({ message: '$property must not repeat a prefix' }),
    IsString({ each: true }),
    Matches(PREFIX, { each: true, message: '$property must be 1 to 15 digits each, without + or 00' }),
  );

export const PREFIXES_DOC = {
  type: String,
  isArray: true,
  maxItems: MAX_PREFIXES,
  pattern: PREFIX.source,
} as const;

@ApiSchema({ name: 'DialPolicyRequest', description: 'The whole policy: both lists are replaced.' })
export class DialPolicyDto {
  @ApiProperty({
    ...PREFIXES_DOC,
    example: ['84'],
    description: 'digit prefixes (without + or 00) that may be called, e.g. `84` for Vietnam',
  })
  @PrefixesRule()
  allowed_prefixes: string[];

  @ApiProperty({
    ...PREFIXES_DOC,
    example: ['1900', '84190'],
    description: 'digit prefixes that may not be called (a prefix in both lists is denied)',
  })
  @PrefixesRule()
  denied_prefixes: string[];
}
