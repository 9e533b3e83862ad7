import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest, RequireScopes } from '@pbx/auth';
import { ThrottleGroup } from '@pbx/throttling';
import { ClickToCallDto } from './click-to-call.dto';
import { ClickToCallService } from './click-to-call.service';
import { CallsService } from './calls.service';

@ApiTags('calls')
@ApiBearerAuth()
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
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retried request with the same key returns the same 202 and places no second call' })
  async start(@Req() request: AuthenticatedRequest, @Body() dto: ClickToCallDto, @Headers('idempotency-key') idempotencyKey?: string) {
    return { data: await this.clickToCall.start(request.auth!, dto, idempotencyKey) };
  }

  @Get(':call_uuid')
  async get(@Req() request: AuthenticatedRequest, @Param('call_uuid') callUuid: string) {
    return { data: await this.calls.get(callUuid, request.auth?.limits) };
  }
}
