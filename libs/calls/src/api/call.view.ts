import { ApiProperty, ApiSchema, ApiPropertyOptional } from '@nestjs/swagger';
import { CALL_EVENT_TYPES, CallDirection, CallEventType, Disposition, Leg } from '@pbx/call-events';
import { CALL_DIRECTIONS, type RoutingMode } from '../persistence/call.entity';
import type { LegState } from '../persistence/call-leg.entity';
import { CallStatus } from '../state/call.state';
import type { CallsService } from './calls.service';
import { ROUTING_MODES } from './click-to-call-accepted.view';

type CallDetail = Awaited<ReturnType<CallsService['get']>>;
type CallSummary = Awaited<ReturnType<CallsService['list']>>['data'][number];
type LegDetail = CallDetail['legs'][number];
type TimelineDetail = CallDetail['events'][number];

const LEGS: Leg[] = ['a', 'b'];
const LEG_STATES: LegState[] = ['created', 'ringing', 'answered', 'ended'];
const DISPOSITIONS: Disposition[] = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED'];

/** One channel of a call: the caller's leg (a) or one callee's (b: an extension rung, a customer attempt). */
@ApiSchema({ name: 'CallLeg' })
export class CallLegDto implements LegDetail {
  @ApiProperty({ enum: LEGS, description: '`a` = caller, `b` = callee' })
  leg: Leg;

  @ApiProperty({ enum: ['caller', 'callee'] })
  role: 'caller' | 'callee';

  @ApiProperty({ format: 'uuid' })
  leg_uuid: string;

  @ApiProperty({ description: 'Asterisk’s channel id (the leg uuid for the legs the PBX creates)' })
  channel_id: string;

  @ApiProperty({ type: String, nullable: true, example: '2001', description: 'the extension of this leg' })
  extension: string | null;

  @ApiProperty({ example: 'PJSIP/1001' })
  endpoint: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 4 })
  trunk_id: number | null;

  @ApiProperty({ enum: LEG_STATES })
  state: LegState;

  @ApiProperty()
  created_at: Date;

  @ApiProperty({ type: Date, nullable: true })
  ringing_at: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  answered_at: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  ended_at: Date | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 16, description: 'Q.850 cause' })
  hangup_cause: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'Normal Clearing' })
  hangup_cause_text: string | null;

  @ApiProperty({ description: 'this leg holds (POST /calls/{call_uuid}/hold): the other side hears music on hold' })
  on_hold: boolean;

  @ApiProperty({ description: 'this leg left the call by a transfer; a new leg with its letter took its place' })
  released: boolean;
}

/** One entry of the call's event timeline (the events webhooks deliver). */
@ApiSchema({ name: 'CallTimelineEvent' })
export class CallTimelineEventDto implements TimelineDetail {
  @ApiProperty({ format: 'uuid', description: 'the event id (`webhook-id` of its deliveries)' })
  id: string;

  @ApiProperty({ type: 'integer', example: 1 })
  sequence: number;

  @ApiProperty({ enum: CALL_EVENT_TYPES })
  type: CallEventType;

  @ApiProperty({ enum: LEGS, nullable: true })
  leg: Leg | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  leg_uuid: string | null;

  @ApiProperty()
  occurred_at: Date;
}

/** A call's own fields: an item of GET /api/pbx/calls (GET /api/pbx/calls/{call_uuid} without legs and events). */
@ApiSchema({ name: 'CallSummary' })
export class CallSummaryDto implements CallSummary {
  @ApiProperty({ format: 'uuid' })
  call_uuid: string;

  @ApiProperty({ format: 'uuid' })
  a_leg_uuid: string;

  @ApiProperty({ enum: CALL_DIRECTIONS })
  direction: CallDirection;

  @ApiProperty({ type: String, nullable: true, example: '1001', description: 'who called (SPEC section 2)' })
  from_number: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0987654321', description: 'the number called' })
  to_number: string | null;

  @ApiProperty({ type: String, nullable: true, example: '842838001234', description: 'inbound: our number called' })
  did: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1001', description: 'the extension the call is about' })
  extension: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'click-to-call: the first customer leg; other directions: the callee leg that answered',
  })
  b_leg_uuid: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1001', description: 'click-to-call only' })
  from_extension: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0987654321', description: 'click-to-call only' })
  to_phone: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1001', description: 'the caller id sent through the trunk' })
  caller_id: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 4 })
  trunk_id: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'POC' })
  trunk_name: string | null;

  @ApiProperty({ enum: ROUTING_MODES, nullable: true, description: 'click-to-call only' })
  routing_mode: RoutingMode | null;

  @ApiProperty({ enum: CallStatus, enumName: 'CallStatus' })
  status: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { Ticket: 'T-42' },
    description: 'sent on the customer INVITE as X-<key>',
  })
  headers: Record<string, string>;

  @ApiProperty({ enum: DISPOSITIONS, nullable: true, description: 'set when the call ends' })
  disposition: string | null;

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
    description: 'the extension whose leg a blind transfer released',
  })
  transferred_by: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'where the transfer went: an extension or a number',
  })
  transferred_to: string | null;

  @ApiProperty()
  created_at: Date;

  @ApiProperty({ type: Date, nullable: true })
  ended_at: Date | null;
}

/** GET /api/pbx/calls/{call_uuid}: the call, every leg and its event timeline. */
@ApiSchema({ name: 'Call' })
export class CallDto extends CallSummaryDto implements CallDetail {
  @ApiProperty({ type: CallLegDto, isArray: true, description: 'oldest first; every customer attempt is a b leg' })
  legs: CallLegDto[];

  @ApiProperty({ type: CallTimelineEventDto, isArray: true, description: 'in sequence order' })
  events: CallTimelineEventDto[];

  @ApiPropertyOptional({
    description: 'a recorded call only (recording started at least once): the permanent link of its MP3',
  })
  recording_url?: string;

  @ApiPropertyOptional({
    enum: ['pending', 'ready', 'failed', 'deleted'],
    description: 'a recorded call only: `pending` until the MP3 is made after the call',
  })
  recording_status?: string;
}

/** A page of GET /api/pbx/calls, newest first. */
@ApiSchema({ name: 'CallPage' })
export class CallPageDto {
  @ApiProperty({ type: CallSummaryDto, isArray: true })
  data: CallSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as `cursor` for the next page; null on the last page',
  })
  next_cursor: string | null;
}
