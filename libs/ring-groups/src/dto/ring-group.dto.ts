import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
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
import { EXTENSION_NUMBER } from '@pbx/extensions';
import { RING_STRATEGIES, RingStrategy } from '../ring-group.entity';

export const MAX_MEMBERS = 50;
export const MAX_TIMEOUT = 600;

const MembersRule = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_MEMBERS),
    ArrayUnique({ message: 'members must not repeat an extension' }),
    IsString({ each: true }),
    Matches(EXTENSION_NUMBER, { each: true, message: 'members must be extension numbers (3 to 10 digits)' }),
  );
const TimeoutRule = () => applyDecorators(IsInt(), Min(1), Max(MAX_TIMEOUT));

const MEMBERS = {
  type: String,
  isArray: true,
  minItems: 1,
  maxItems: MAX_MEMBERS,
  pattern: EXTENSION_NUMBER.source,
  example: ['2001', '2002'],
  description: 'extension numbers (each must exist), in ringing order; no repeats',
};
const MEMBER_TIMEOUT = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_TIMEOUT,
  description: 'seconds each member rings (`sequential`)',
} as const;
const RING_TIMEOUT = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_TIMEOUT,
  description: "seconds the whole group rings (an inbound route's smaller ring_timeout wins)",
} as const;

@ApiSchema({ name: 'CreateRingGroupRequest' })
export class CreateRingGroupDto {
  @ApiProperty({ example: 'Sales', maxLength: 100 })
  @SafeText(100)
  name: string;

  @ApiPropertyOptional({ enum: RING_STRATEGIES, default: 'ringall' })
  @Optional()
  @IsIn(RING_STRATEGIES)
  strategy?: RingStrategy;

  @ApiProperty(MEMBERS)
  @MembersRule()
  members: string[];

  @ApiPropertyOptional({ ...MEMBER_TIMEOUT, default: 15 })
  @Optional()
  @TimeoutRule()
  member_timeout?: number;

  @ApiPropertyOptional({ ...RING_TIMEOUT, default: 30 })
  @Optional()
  @TimeoutRule()
  ring_timeout?: number;
}

@ApiSchema({ name: 'UpdateRingGroupRequest' })
export class UpdateRingGroupDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @Optional()
  @SafeText(100)
  name?: string;

  @ApiPropertyOptional({ enum: RING_STRATEGIES })
  @Optional()
  @IsIn(RING_STRATEGIES)
  strategy?: RingStrategy;

  @ApiPropertyOptional({ ...MEMBERS, description: `${MEMBERS.description}; replaces the whole list` })
  @Optional()
  @MembersRule()
  members?: string[];

  @ApiPropertyOptional(MEMBER_TIMEOUT)
  @Optional()
  @TimeoutRule()
  member_timeout?: number;

  @ApiPropertyOptional(RING_TIMEOUT)
  @Optional()
  @TimeoutRule()
  ring_timeout?: number;
}
