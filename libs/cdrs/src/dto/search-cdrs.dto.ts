import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CALL_DIRECTIONS, CallDirection } from '@pbx/call-events';
import { Optional, QueryCursor, QueryDateTime, QueryExtension, QueryLimit, QueryNumber, QueryUuid } from '@pbx/common';

export const DISPOSITIONS = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED'] as const;

/** Query of GET /api/pbx/cdrs (all strings, as query parameters are). */
export class SearchCdrsDto {
  @ApiPropertyOptional({ description: 'started at or after (RFC 3339)', example: '2026-11-01T00:00:00Z' })
  @QueryDateTime()
  from?: string;

  @ApiPropertyOptional({ description: 'started before (RFC 3339)', example: '2026-12-01T00:00:00Z' })
  @QueryDateTime()
  to?: string;

  @ApiPropertyOptional({ enum: CALL_DIRECTIONS })
  @Optional()
  @IsIn(CALL_DIRECTIONS)
  direction?: CallDirection;

  @ApiPropertyOptional({
    example: '1001',
    description:
      'the extension the call is about (`extension` of the CDR): the agent of a click-to-call, the calling phone of an outbound or internal call, the phone that answered an inbound one',
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

  @ApiPropertyOptional({
    example: '842838001234',
    description: 'inbound: our number called, exact, one leading `+` ignored',
  })
  @QueryNumber(1, 33)
  did?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the call’s CDR (at most one)' })
  @QueryUuid()
  call_uuid?: string;

  @ApiPropertyOptional({ enum: DISPOSITIONS })
  @Optional()
  @IsIn(DISPOSITIONS)
  disposition?: (typeof DISPOSITIONS)[number];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @QueryLimit()
  limit?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @QueryCursor()
  cursor?: string;
}
