import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CALL_EVENT_TYPES, CallEventType, Disposition, Leg } from '@pbx/call-events';
import type { RoutingMode } from '../persistence/call.entity';
import type { LegState } from '../persistence/call-leg.entity';
import { CallStatus } from '../state/call.state';
import type { CallsService } from './calls.service';
import { ROUTING_MODES } from './click-to-call-accepted.view';

type CallDetail = Awaited<ReturnType<CallsService['get']>>;
type LegDetail = CallDetail['legs'][number];
type TimelineDetail = CallDetail['events'][number];

const LEGS: Leg[] = ['a', 'b'];
const LEG_STATES: LegState[] = ['created', 'ringing', 'answered', 'ended'];
const DISPOSITIONS: Disposition[] = ['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED'];

/** One channel of a call: the agent's leg (a) or one customer attempt (b). */
@ApiSchema({ name: 'CallLeg' })
export class CallLegDto implements LegDetail {
  @ApiProperty({ enum: LEGS })
  leg: Leg;

  @ApiProperty({ format: 'uuid' })
  leg_uuid: string;

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

/** GET /api/pbx/calls/{call_uuid}: the call, every leg and its event timeline. */
@ApiSchema({ name: 'Call' })
export class CallDto implements CallDetail {
  @ApiProperty({ format: 'uuid' })
  call_uuid: string;

  @ApiProperty({ format: 'uuid' })
  a_leg_uuid: string;

  @ApiProperty({ format: 'uuid', description: 'the first customer leg' })
  b_leg_uuid: string;

  @ApiProperty({ example: '1001' })
  from_extension: string;

  @ApiProperty({ example: '0987654321' })
  to_phone: string;

  @ApiProperty({ example: '1001' })
  caller_id: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 4 })
  trunk_id: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'POC' })
  trunk_name: string | null;

  @ApiProperty({ enum: ROUTING_MODES })
  routing_mode: RoutingMode;

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

  @ApiProperty({ type: String, enum: ['a', 'b', 'system'], nullable: true, description: 'who hung up first' })
  hangup_by: string | null;

  @ApiProperty()
  created_at: Date;

  @ApiProperty({ type: Date, nullable: true })
  ended_at: Date | null;

  @ApiProperty({ type: CallLegDto, isArray: true, description: 'oldest first; every customer attempt is a b leg' })
  legs: CallLegDto[];

  @ApiProperty({ type: CallTimelineEventDto, isArray: true, description: 'in sequence order' })
  events: CallTimelineEventDto[];
}
