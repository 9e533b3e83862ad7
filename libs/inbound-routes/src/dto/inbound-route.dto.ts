import { RECORD_POLICIES, RECORD_RULE, RecordPolicy } from '@pbx/recordings';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Nullable, Optional } from '@pbx/common';
import { ExtensionDestinationDto, InboundDestinationDto, RingGroupDestinationDto } from './inbound-destination.dto';

/** digits with an optional leading +, at most 32 digits; '' = any number */
export const DID = /^(\+?[0-9]{1,32})?$/;
export const MAX_RING_TIMEOUT = 600;

const DidRule = () =>
  applyDecorators(
    IsString(),
    Matches(DID, { message: "did must be up to 32 digits, optionally after one +; '' matches any number" }),
  );
const TrunkIdRule = () => applyDecorators(IsInt(), Min(1), Max(2_147_483_647));
const DestinationRule = () =>
  applyDecorators(
    IsObject({ message: 'destination must be { type: "extension", number } or { type: "ring_group", id }' }),
    ValidateNested(),
    Type(() => InboundDestinationDto),
  );
const RingTimeoutRule = () => applyDecorators(IsInt(), Min(1), Max(MAX_RING_TIMEOUT));

export const DESTINATION_SCHEMA = {
  oneOf: [{ $ref: getSchemaPath(ExtensionDestinationDto) }, { $ref: getSchemaPath(RingGroupDestinationDto) }],
};
const DID_DOC = {
  example: '+842873001234',
  pattern: DID.source,
  maxLength: 33,
  description: "the number called; one leading + is ignored when matching; '' = any number",
};
const TRUNK_DOC = {
  type: 'integer',
  nullable: true,
  minimum: 1,
  example: 4,
  description: 'only calls from this trunk; null or left out = any trunk',
} as const;
const RING_TIMEOUT_DOC = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_RING_TIMEOUT,
  description: 'seconds the destination rings (a ring group: the smaller of this and its own ring_timeout)',
} as const;

@ApiSchema({ name: 'CreateInboundRouteRequest' })
@ApiExtraModels(ExtensionDestinationDto, RingGroupDestinationDto)
export class CreateInboundRouteDto {
  @ApiProperty(DID_DOC)
  @DidRule()
  did: string;

  @ApiPropertyOptional(TRUNK_DOC)
  @Nullable()
  @TrunkIdRule()
  trunk_id?: number | null;

  // type: Object, not the validation class reflected from the field: the document shows the oneOf alone
  @ApiProperty({ ...DESTINATION_SCHEMA, type: Object })
  @DestinationRule()
  destination: InboundDestinationDto;

  @ApiPropertyOptional({ ...RING_TIMEOUT_DOC, default: 30 })
  @Optional()
  @RingTimeoutRule()
  ring_timeout?: number;

  @ApiPropertyOptional({ enum: RECORD_POLICIES, default: 'never', description: RECORD_RULE })
  @Optional()
  @IsIn(RECORD_POLICIES)
  record?: RecordPolicy;
}

@ApiSchema({ name: 'UpdateInboundRouteRequest' })
@ApiExtraModels(ExtensionDestinationDto, RingGroupDestinationDto)
export class UpdateInboundRouteDto {
  @ApiPropertyOptional(DID_DOC)
  @Optional()
  @DidRule()
  did?: string;

  @ApiPropertyOptional({ ...TRUNK_DOC, description: 'only calls from this trunk; null = any trunk' })
  @Nullable()
  @TrunkIdRule()
  trunk_id?: number | null;

  @ApiPropertyOptional({ ...DESTINATION_SCHEMA, type: Object, description: 'replaces the destination' })
  @Optional()
  @DestinationRule()
  destination?: InboundDestinationDto;

  @ApiPropertyOptional(RING_TIMEOUT_DOC)
  @Optional()
  @RingTimeoutRule()
  ring_timeout?: number;

  @ApiPropertyOptional({ enum: RECORD_POLICIES, description: RECORD_RULE })
  @Optional()
  @IsIn(RECORD_POLICIES)
  record?: RecordPolicy;
}
