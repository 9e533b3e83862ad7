import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { Optional, SafeText } from '@pbx/common';

const PatternRule = () =>
  applyDecorators(
    IsString(),
    Matches(/^\+?[0-9X]{0,20}$/, {
      message: 'pattern is digits (X = any digit), optionally after +, at most 20; empty matches every number',
    }),
  );
const TrunkIdsRule = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(10),
    ArrayUnique(),
    IsInt({ each: true }),
    Min(1, { each: true }),
    Max(2_147_483_647, { each: true }),
  );
const StripRule = () => applyDecorators(IsInt(), Min(0), Max(20));
const PrependRule = () =>
  applyDecorators(
    IsString(),
    Matches(/^(?=.{0,16}$)\+?[0-9]*$/, { message: 'prepend is up to 16 digits, optionally after +' }),
  );

@ApiSchema({ name: 'CreateRouteRequest' })
export class CreateRouteDto {
  @ApiProperty({ example: 'Vietnam mobiles' })
  @SafeText(100)
  name: string;

  @ApiProperty({ example: '09', description: "prefix; X = any digit; '' = default route" })
  @PatternRule()
  pattern: string;

  @ApiProperty({
    type: 'integer',
    isArray: true,
    minItems: 1,
    maxItems: 10,
    example: [4, 7],
    description: 'trunks tried in this order',
  })
  @TrunkIdsRule()
  trunk_ids: number[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 20,
    default: 0,
    description: 'leading digits removed before dialing',
  })
  @Optional()
  @StripRule()
  strip?: number;

  @ApiPropertyOptional({ default: '' })
  @Optional()
  @PrependRule()
  prepend?: string;
}

@ApiSchema({ name: 'UpdateRouteRequest' })
export class UpdateRouteDto {
  @ApiPropertyOptional()
  @Optional()
  @SafeText(100)
  name?: string;

  @ApiPropertyOptional()
  @Optional()
  @PatternRule()
  pattern?: string;

  @ApiPropertyOptional({
    type: 'integer',
    isArray: true,
    minItems: 1,
    maxItems: 10,
    description: 'replaces the whole ordered list',
  })
  @Optional()
  @TrunkIdsRule()
  trunk_ids?: number[];

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 20 })
  @Optional()
  @StripRule()
  strip?: number;

  @ApiPropertyOptional()
  @Optional()
  @PrependRule()
  prepend?: string;
}
