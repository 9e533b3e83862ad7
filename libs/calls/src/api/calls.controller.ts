import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest, RequireScopes } from '@pbx/auth';
import { ApiData, ApiErrors } from '@pbx/common';
import { ThrottleGroup } from '@pbx/throttling';
import { ClickToCallDto } from './click-to-call.dto';
import { ClickToCallAcceptedDto } from './click-to-call-accepted.view';
import { CallDto } from './call.view';
import { ClickToCallService } from './click-to-call.service';
import { CallsService } from './calls.service';

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
    description: 'a retried request with the same key and body returns the same 202 and places no second call',
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
      'Invalid request: unknown or disabled extension or trunk, no route for the number, a caller id not allowed (`validation_failed`, `details` names the field), or an Idempotency-Key reused with another body (`idempotency_key_reused`)',
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
