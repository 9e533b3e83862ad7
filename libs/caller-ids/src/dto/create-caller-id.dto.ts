import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { Nullable, Optional, SafeText } from '@pbx/common';

@ApiSchema({ name: 'CreateCallerIdRequest' })
export class CreateCallerIdDto {
  @ApiProperty({ example: '02873001234', pattern: '^\\+?[0-9]{3,32}$' })
  @IsString()
  @Matches(/^(?=.{3,32}$)\+?[0-9]+$/, { message: 'number must be 3 to 32 digits, optionally starting with +' })
  number: string;

  @ApiPropertyOptional({ example: 'Hotline', maxLength: 100 })
  @Optional()
  @SafeText(100, 0)
  label?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 4,
    nullable: true,
    description: 'the trunk that owns the number',
  })
  @Nullable()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  trunk_id?: number | null;
}
