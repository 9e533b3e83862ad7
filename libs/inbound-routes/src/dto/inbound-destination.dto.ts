import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { IsIn, IsInt, IsString, Matches, Max, Min, ValidateBy, ValidateIf, ValidationArguments } from 'class-validator';
import { EXTENSION_NUMBER } from '@pbx/extensions';
import { DESTINATION_TYPES, DestinationType } from '../inbound-route.entity';

/** The field belongs to destinations of `type`: required there, refused on the other type. */
const ForType = (type: DestinationType) =>
  applyDecorators(
    ValidateIf((o: { type?: unknown }, value: unknown) => value !== undefined || o.type === type),
    ValidateBy({
      name: 'forType',
      validator: {
        validate: (_value: unknown, args?: ValidationArguments) =>
          !DESTINATION_TYPES.includes((args?.object as { type?: DestinationType }).type as DestinationType) ||
          (args?.object as { type?: unknown }).type === type,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} is only for a destination of type ${type}`,
      },
    }),
  );

/** Request body validation of `destination`; documented as the oneOf of the two classes below. */
export class InboundDestinationDto {
  @IsIn(DESTINATION_TYPES)
  type: DestinationType;

  @ForType('extension')
  @IsString()
  @Matches(EXTENSION_NUMBER, { message: 'number must be an extension number (3 to 10 digits)' })
  number?: string;

  @ForType('ring_group')
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  id?: number;
}

@ApiSchema({ name: 'ExtensionDestination', description: 'Ring one extension.' })
export class ExtensionDestinationDto {
  @ApiProperty({ enum: ['extension'] })
  type: 'extension';

  @ApiProperty({ example: '2001', pattern: EXTENSION_NUMBER.source, description: 'an existing extension' })
  number: string;
}

@ApiSchema({ name: 'RingGroupDestination', description: 'Ring a ring group.' })
export class RingGroupDestinationDto {
  @ApiProperty({ enum: ['ring_group'] })
  type: 'ring_group';

  @ApiProperty({ type: 'integer', minimum: 1, example: 3, description: 'an existing ring group' })
  id: number;
}

export type InboundDestination = ExtensionDestinationDto | RingGroupDestinationDto;
