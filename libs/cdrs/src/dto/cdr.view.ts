import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { CdrsService } from '../cdrs.service';
import { DISPOSITIONS } from './search-cdrs.dto';

type CdrPage = Awaited<ReturnType<CdrsService['search']>>;
type CdrRow = CdrPage['data'][number];

@ApiSchema({ name: 'CdrLeg' })
export class CdrLegDto implements NonNullable<CdrRow['b_leg']> {
  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ type: Date, nullable: true })
  started_at: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  answered_at: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  ended_at: Date | null;
}

/** One call detail record, written once per call with its hangup. */
@ApiSchema({ name: 'Cdr' })
export class CdrDto implements CdrRow {
  @ApiProperty({ format: 'uuid' })
  call_uuid: string;

  @ApiProperty({ enum: ['click_to_call', 'inbound', 'outbound', 'internal'] })
  direction: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1001',
    description: 'who called: the extension (click-to-call, outbound, internal) or the carrier’s caller (inbound)',
  })
  from_number: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0987654321', description: 'the number called' })
  to_number: string | null;

  @ApiProperty({ type: String, nullable: true, example: '842838001234', description: 'inbound: our number called' })
  did: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1001',
    description: 'the calling extension, or for an inbound call the one that answered',
  })
  extension: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1001', description: 'click-to-call only' })
  from_extension: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0987654321', description: 'click-to-call only' })
  to_phone: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1001' })
  caller_id: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 4,
    description: 'the trunk that carried the customer leg; null when the customer was never dialed',
  })
  trunk_id: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'POC' })
  trunk_name: string | null;

  @ApiProperty({ type: String, enum: ['direct_gateway', 'dialplan_default'], nullable: true })
  routing_mode: string | null;

  @ApiProperty()
  started_at: Date;

  @ApiProperty({ type: Date, nullable: true })
  answered_at: Date | null;

  @ApiProperty()
  ended_at: Date;

  @ApiProperty({ type: 'integer', example: 42, description: 'seconds from start to end' })
  duration: number;

  @ApiProperty({ type: 'integer', example: 35, description: 'seconds from the customer’s answer to the end' })
  billsec: number;

  @ApiProperty({ enum: DISPOSITIONS })
  disposition: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 16, description: 'Q.850 cause' })
  hangup_cause: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'Normal Clearing' })
  hangup_cause_text: string | null;

  @ApiProperty({
    type: String,
    enum: ['a', 'b', 'system', 'api'],
    nullable: true,
    description: 'who hung up first (`api`: POST /calls/{call_uuid}/hangup)',
  })
  hangup_by: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'the extension whose leg a blind transfer released (null: no transfer)',
  })
  transferred_by: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'where the transfer went: an extension or a number',
  })
  transferred_to: string | null;

  @ApiProperty({ type: CdrLegDto, description: 'the agent’s leg' })
  a_leg: CdrLegDto;

  @ApiProperty({
    type: CdrLegDto,
    nullable: true,
    description: 'the customer leg that was last dialed; null when none was',
  })
  b_leg: CdrLegDto | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { Ticket: 'T-42' } })
  headers: Record<string, string>;

  @ApiPropertyOptional({
    description: 'a recorded call only: the permanent link of its MP3 (404 until it is ready, and after retention)',
  })
  recording_url?: string;

  @ApiPropertyOptional({ enum: ['pending', 'ready', 'failed', 'deleted'], description: 'a recorded call only' })
  recording_status?: string;
}

/** A page of GET /api/pbx/cdrs, newest first. */
@ApiSchema({ name: 'CdrPage' })
export class CdrPageDto implements CdrPage {
  @ApiProperty({ type: CdrDto, isArray: true })
  data: CdrDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as `cursor` for the next page; null on the last page',
  })
  next_cursor: string | null;
}
