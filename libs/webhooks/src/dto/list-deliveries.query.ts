import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Optional } from '@pbx/common';

// query values are strings; only plain digits become numbers, anything else fails IsInt by name
const digits = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value;

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @Optional()
  @Transform(digits)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'cursor: only deliveries with a smaller id (the previous page’s next_before_id)',
  })
  @Optional()
  @Transform(digits)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  before_id?: number;
}
