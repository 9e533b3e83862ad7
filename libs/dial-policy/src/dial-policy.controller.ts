import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { DialPolicyDto } from './dto/dial-policy.dto';
import { DialPolicyViewDto } from './dto/dial-policy.view';
import { DialPolicyService } from './dial-policy.service';

const RULE =
  'Applies to every call that would leave through a trunk (click-to-call, desk phones, transfers). The number as requested ' +
  'and the final dial string (after the route’s strip and prepend) are both checked, and either refusing refuses. ' +
  'A number beginning with + or 00 is international and is compared without that marker. The longest matching prefix ' +
  'across both lists decides (a tie denies); with no match, national numbers are allowed and international ones denied.';

@ApiTags('dial-policy')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/dial-policy')
export class DialPolicyController {
  constructor(private readonly policy: DialPolicyService) {}

  @Get()
  @ApiOperation({ operationId: 'getDialPolicy', summary: 'Get the dial policy', description: RULE })
  @ApiData(DialPolicyViewDto, { description: 'The dial policy' })
  async get() {
    return { data: await this.policy.get() };
  }

  @Put()
  @ApiOperation({
    operationId: 'replaceDialPolicy',
    summary: 'Replace the dial policy',
    description: `${RULE} Other processes (the worker) see a change within 5 seconds.`,
  })
  @ApiData(DialPolicyViewDto, { description: 'The dial policy as stored' })
  @ApiErrors(400, 413, 415, 422)
  async put(@Body() dto: DialPolicyDto) {
    return { data: await this.policy.put(dto) };
  }
}
