import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, Matches } from 'class-validator';
import { Optional } from '@pbx/common';

export const DISPOSITIONS = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED'] as const;

/** Query of GET /api/pbx/cdrs (all strings, as query parameters are). */
export class SearchCdrsDto {
  @ApiPropertyOptional({ description: 'started at or after (ISO 8601)', example: '2026-11-01T00:00:00Z' })
  @Optional()
  @IsISO8601({ strict: true })
  @Matches(/^(19|2\d)\d{2}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    message: 'from must be an RFC 3339 date or date-time',
  })
  from?: string;

  @ApiPropertyOptional({ description: 'started before (ISO 8601)', example: '2026-12-01T00:00:00Z' })
  @Optional()
  @IsISO8601({ strict: true })
  @Matches(/^(19|2\d)\d{2}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    message: 'to must be an RFC 3339 date or date-time',
  })
  to?: string;

  @ApiPropertyOptional({ example: '1001' })
  @Optional()
  @IsString()
  @Matches(/^[0-9]{3,10}$/, { message: 'extension must be 3 to 10 digits' })
  extension?: string;

  @ApiPropertyOptional({ example: '0987654321', description: 'the customer number, exact' })
  @Optional()
  @IsString()
  @Matches(/^(?=.{3,32}$)\+?[0-9]+$/, { message: 'phone must be 3 to 32 digits, optionally starting with +' })
  phone?: string;

  @ApiPropertyOptional({ enum: DISPOSITIONS })
  @Optional()
  @IsIn(DISPOSITIONS)
  disposition?: (typeof DISPOSITIONS)[number];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @Optional()
  @IsString()
  @Matches(/^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$/, { message: 'limit must be an integer from 1 to 500' })
  limit?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @Optional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor is not valid' })
  cursor?: string;
}
