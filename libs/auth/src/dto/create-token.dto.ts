import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { Optional, SafeText } from '@pbx/common';
import { Scope, SCOPES } from '../scope';

@ApiSchema({ name: 'CreateTokenRequest' })
export class CreateTokenDto {
  @ApiProperty({ example: 'crm-prod', maxLength: 100 })
  @SafeText(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['calls'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  // Limits (SPEC §5) only mean something without `admin`: the service refuses them on an admin token.
  @ApiPropertyOptional({
    type: [String],
    example: ['1001', '1002'],
    maxItems: 1000,
    description: 'extensions the token may call from and read calls/CDRs of; left out = all',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(/^[0-9]{3,10}$/, { each: true, message: 'each of extensions must be 3 to 10 digits' })
  extensions?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    isArray: true,
    example: [4],
    maxItems: 100,
    description: 'trunks the token may call through (explicitly or by route) and read calls/CDRs of; left out = all',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  trunk_ids?: number[];

  @ApiPropertyOptional({
    type: 'integer',
    example: 10,
    minimum: 1,
    maximum: 10_000,
    description: 'live calls the token may have at once; left out = unlimited',
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  max_concurrent_calls?: number;
}
