import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional, QueryCursor, QueryDateTime, QueryExtension, QueryLimit, QueryNumber } from '@pbx/common';
import { CALL_DIRECTIONS, CallDirection } from '../persistence/call.entity';

export const CALL_LIST_STATUSES = ['live', 'ended'] as const;

/** Query of GET /api/pbx/calls: the same filters as /cdrs, on the calls table (live ones included). */
export class ListCallsDto {
  @ApiPropertyOptional({ enum: CALL_LIST_STATUSES, description: '`live`: not ended yet; `ended`; both when left out' })
  @Optional()
  @IsIn(CALL_LIST_STATUSES)
  status?: (typeof CALL_LIST_STATUSES)[number];

  @ApiPropertyOptional({ enum: CALL_DIRECTIONS })
  @Optional()
  @IsIn(CALL_DIRECTIONS)
  direction?: CallDirection;

  @ApiPropertyOptional({
    example: '1001',
    description:
      'the extension the call is about (`extension`): the agent of a click-to-call, the calling phone of an outbound or internal call, the phone that answered an inbound one',
  })
  @QueryExtension()
  extension?: string;

  @ApiPropertyOptional({
    example: '0987654321',
    description:
      'the external party’s number, exact, one leading `+` ignored on both sides: the number called (click-to-call, outbound), the caller (inbound); internal calls have none',
  })
  @QueryNumber(3, 32)
  phone?: string;

  @ApiPropertyOptional({ description: 'started at or after (RFC 3339)', example: '2026-11-01T00:00:00Z' })
  @QueryDateTime()
  from?: string;

  @ApiPropertyOptional({ description: 'started before (RFC 3339)', example: '2026-12-01T00:00:00Z' })
  @QueryDateTime()
  to?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @QueryLimit()
  limit?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @QueryCursor()
  cursor?: string;
}
