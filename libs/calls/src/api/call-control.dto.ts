import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { Optional } from '@pbx/common';

@ApiSchema({ name: 'TransferRequest' })
export class TransferDto {
  @ApiProperty({
    example: '1002',
    pattern: '^\\+?[0-9]{2,32}$',
    description:
      'an extension, or a number dialled through the outbound routes and the dial policy as the transferring extension would dial it',
  })
  @IsString()
  @Matches(/^\+?[0-9]{2,32}$/, { message: 'to must be an extension or a number: 2 to 32 digits, optionally after +' })
  to: string;

  @ApiPropertyOptional({ enum: ['blind'], default: 'blind', description: 'only blind transfers for now' })
  @Optional()
  @IsIn(['blind'], { message: 'type must be blind' })
  type?: 'blind';
}

@ApiSchema({ name: 'RecordingRequest' })
export class RecordingDto {
  @ApiProperty({
    enum: ['start', 'stop'],
    description:
      '`start` records the call from now on (a new segment after a stop); `stop` stops it (what was recorded is kept). All segments make one MP3 once the call ends.',
  })
  @IsIn(['start', 'stop'], { message: 'action must be start or stop' })
  action: 'start' | 'stop';
}

@ApiSchema({ name: 'HoldRequest' })
export class HoldDto {
  @ApiProperty({ enum: ['a', 'b'], description: 'the side that holds: the other side hears music on hold' })
  @IsIn(['a', 'b'], { message: 'leg must be a or b' })
  leg: 'a' | 'b';
}
