import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest, RequireScopes } from '@pbx/auth';
import { ApiData, ApiErrors } from '@pbx/common';
import { ThrottleGroup } from '@pbx/throttling';
import { ClickToCallDto } from './click-to-call.dto';
import { ClickToCallAcceptedDto } from './click-to-call-accepted.view';
import { CallDto, CallPageDto } from './call.view';
import { ListCallsDto } from './list-calls.dto';
import { HoldDto, RecordingDto, TransferDto } from './call-control.dto';
import { ClickToCallService } from './click-to-call.service';
import { CallsService } from './calls.service';

type ErrorEntry = Parameters<typeof ApiErrors>[number];
/** the answers every live-control route shares */
const UNKNOWN_CALL: ErrorEntry = [404, 'Unknown call (`not_found`)'];
const WORKER_TIMEOUT: ErrorEntry = [
  503,
  'The worker did not carry the request out within 5 s; nothing was done (`service_unavailable`)',
];

/** hold and unhold refuse alike */
const HOLD_ERRORS: Parameters<typeof ApiErrors> = [
  400,
  403,
  UNKNOWN_CALL,
  [409, 'The call has ended (`call_ended`) or is not answered (`call_not_answered`)'],
  413,
  415,
  [422, 'Invalid `leg` (`validation_failed`), or that leg is not talking in the call (`invalid_leg`)'],
  WORKER_TIMEOUT,
];

@ApiTags('calls')
@ApiBearerAuth()
@ApiErrors(401, 429, 500)
@RequireScopes('calls')
@Controller('api/pbx/calls')
export class CallsController {
  constructor(
    private readonly clickToCall: ClickToCallService,
    private readonly calls: CallsService,
  ) {}

  /** Rings the agent's extension, then dials the customer: 202 with the call's pre-assigned ids. */
  @Post('click-to-call')
  @HttpCode(202)
  @ThrottleGroup('click-to-call')
  @ApiOperation({
    operationId: 'clickToCall',
    summary: 'Place a click-to-call',
    description:
      'Rings the agent’s extension; once answered, dials the customer and bridges both. Everything is checked before a call is placed: ' +
      'a refused request writes nothing. Limited to 10 requests a minute per token.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    description:
      'a retried request with the same key and body within 24 h returns the same 202 and places no second call; after 24 h the key is forgotten and the request places a new call',
  })
  @ApiData(ClickToCallAcceptedDto, {
    status: 202,
    description: 'Accepted: the call is queued; follow it with GET /api/pbx/calls/{call_uuid} or webhooks',
  })
  @ApiErrors(
    400,
    [
      403,
      'The token lacks the `calls` scope, or a limited token names an extension or trunk outside its limits (`forbidden`, `details` names the field)',
    ],
    [
      409,
      'The agent’s extension has no registered phone (`extension_offline`), or the token already has `max_concurrent_calls` live calls (`concurrent_call_limit`)',
    ],
    413,
    415,
    [
      422,
      'Invalid request: unknown or disabled extension or trunk, no route for the number, a caller id not allowed (`validation_failed`, `details` names the field), a number the dial policy refuses (`destination_denied`, `details` names `to_phone` and says why), `auto_answer` from an extension without `auto_answer_allowed` (`auto_answer_not_allowed`, `details` names `auto_answer`), or an Idempotency-Key reused with another body (`idempotency_key_reused`)',
    ],
    [
      503,
      'Asterisk (or the worker’s Stasis app) is unavailable, or the database is (`service_unavailable`); no call was placed',
    ],
  )
  async start(
    @Req() request: AuthenticatedRequest,
    @Body() dto: ClickToCallDto,
    @Headers('Idempotency-Key') idempotencyKey?: string,
  ) {
    return { data: await this.clickToCall.start(request.auth!, dto, idempotencyKey) };
  }

  /** `{ data: [...], next_cursor }`: pass next_cursor back as `cursor` for the next page. */
  @Get()
  @ApiOperation({
    operationId: 'listCalls',
    summary: 'List calls',
    description:
      'Calls of every direction, live or ended, newest first (on start time), filtered on status, direction, extension, the external party’s number and start time; each item is the call as GET /api/pbx/calls/{call_uuid} gives it, without legs and events. A limited token sees only its extensions’ and trunks’ calls.',
  })
  @ApiOkResponse({ type: CallPageDto, description: 'A page of calls and the cursor of the next one' })
  @ApiErrors(
    403,
    [
      422,
      'A filter is invalid, `to` is not after `from`, or the cursor is not one this API gave (`validation_failed`, `details` names the field)',
    ],
    503,
  )
  list(@Req() request: AuthenticatedRequest, @Query() query: ListCallsDto) {
    return this.calls.list(query, request.auth?.limits);
  }

  @Post(':call_uuid/hangup')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'hangupCall',
    summary: 'Hang up a live call',
    description:
      'Ends a live call of any direction, ringing or answered: an answered call with cause 16; a caller still waiting (inbound) hears no answer (cause 19, SIP 480). The hangup event says `hangup_by: "api"`. Carried out by the worker within 5 s.',
  })
  @ApiParam({ name: 'call_uuid', format: 'uuid' })
  @ApiData(CallDto, { status: 202, description: 'The call, its legs being hung up' })
  @ApiErrors(403, UNKNOWN_CALL, [409, 'The call has already ended (`call_ended`)'], WORKER_TIMEOUT)
  async hangup(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string) {
    return { data: await this.calls.control(callUuid, { kind: 'hangup' }, request.auth!) };
  }

  @Post(':call_uuid/transfer')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'transferCall',
    summary: 'Blind-transfer an answered call',
    description:
      'The party talking to our extension is connected to `to` (an extension, or a number through the outbound routes and the dial policy, shown the transferring extension’s outbound caller id); our extension’s leg is released. The new leg takes the released leg’s letter; `pbx.call.transferred`, then ringing and answered for the new leg. If the target does not answer, the call ends (cause 19).',
  })
  @ApiParam({ name: 'call_uuid', format: 'uuid' })
  @ApiData(CallDto, { status: 202, description: 'The call, the transfer’s target ringing' })
  @ApiErrors(
    400,
    [
      403,
      'The token lacks the `calls` scope, or a limited token names an extension or trunk outside its limits (`forbidden`)',
    ],
    UNKNOWN_CALL,
    [
      409,
      'The call has ended (`call_ended`), is not answered yet or a transfer is still ringing (`call_not_answered`)',
    ],
    413,
    415,
    [
      422,
      'Invalid `to`: not an extension nor a number with a route (`validation_failed`), refused by the dial policy or the extension’s outbound permission (`destination_denied`), or no extension of ours talking in the call (`invalid_leg`)',
    ],
    WORKER_TIMEOUT,
  )
  async transfer(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string, @Body() dto: TransferDto) {
    const auth = request.auth!;
    return { data: await this.calls.control(callUuid, { kind: 'transfer', to: dto.to, limits: auth.limits }, auth) };
  }

  @Post(':call_uuid/hold')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'holdCall',
    summary: 'Put a call on hold',
    description:
      '`leg` is the side that holds: the other side hears music on hold and the holder’s audio is not passed. Repeating is a 202 with no change; `legs[].on_hold` shows it.',
  })
  @ApiParam({ name: 'call_uuid', format: 'uuid' })
  @ApiData(CallDto, { status: 202, description: 'The call' })
  @ApiErrors(...HOLD_ERRORS)
  async hold(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string, @Body() dto: HoldDto) {
    return { data: await this.calls.control(callUuid, { kind: 'hold', leg: dto.leg }, request.auth!) };
  }

  @Post(':call_uuid/unhold')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'unholdCall',
    summary: 'Take a call off hold',
    description: 'The holding side `leg` resumes: both sides hear each other again. Repeating is a 202 with no change.',
  })
  @ApiParam({ name: 'call_uuid', format: 'uuid' })
  @ApiData(CallDto, { status: 202, description: 'The call' })
  @ApiErrors(...HOLD_ERRORS)
  async unhold(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string, @Body() dto: HoldDto) {
    return { data: await this.calls.control(callUuid, { kind: 'unhold', leg: dto.leg }, request.auth!) };
  }

  @Post(':call_uuid/recording')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'recordCall',
    summary: 'Start or stop recording a call',
    description:
      '`start` on an answered call records its bridge from now on (the recording’s token, and so `recording_url`, is assigned at the first start; starting while recording is a 202 with no change); `stop` keeps what was recorded. Repeated start/stop gives one MP3 of the concatenated segments once the call ends (`pbx.recording.ready`).',
  })
  @ApiParam({ name: 'call_uuid', format: 'uuid' })
  @ApiData(CallDto, { status: 202, description: 'The call' })
  @ApiErrors(
    400,
    403,
    UNKNOWN_CALL,
    [
      409,
      'The call has ended (`call_ended`), is not answered yet (`call_not_answered`), or `stop` while not recording (`recording_not_active`)',
    ],
    413,
    415,
    [422, 'Invalid `action` (`validation_failed`)'],
    WORKER_TIMEOUT,
  )
  async record(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string, @Body() dto: RecordingDto) {
    return { data: await this.calls.control(callUuid, { kind: 'recording', action: dto.action }, request.auth!) };
  }

  @Get(':call_uuid')
  @ApiOperation({
    operationId: 'getCall',
    summary: 'Get a call',
    description: 'The call, every leg (each customer attempt) and its event timeline.',
  })
  @ApiParam({ name: 'call_uuid', format: 'uuid', description: 'from the 202 of click-to-call' })
  @ApiData(CallDto, { description: 'The call' })
  @ApiErrors(403, [404, 'Unknown call, or one outside a limited token’s extensions and trunks (`not_found`)'], 503)
  async get(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string) {
    return { data: await this.calls.get(callUuid, request.auth?.limits) };
  }
}
