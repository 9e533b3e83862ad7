import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, DomainError } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { BansStore } from './bans.store';
import { BanViewDto } from './dto/ban.view';

@ApiTags('security')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/security/bans')
export class BansController {
  constructor(private readonly bans: BansStore) {}

  @Get()
  @ApiOperation({
    operationId: 'listSipBans',
    summary: 'List SIP bans',
    description: 'Source addresses Asterisk refuses (403, no challenge) after repeated failed SIP authentications.',
  })
  @ApiData(BanViewDto, { isArray: true, description: 'The live bans, newest first' })
  async list() {
    return { data: await this.bans.list() };
  }

  @Delete(':address')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'liftSipBan',
    summary: 'Lift a SIP ban',
    description: 'The address may send SIP again at once (no reload).',
  })
  @ApiParam({ name: 'address', schema: { type: 'string' }, description: 'the banned IPv4 or IPv6 address' })
  @ApiNoContentResponse({ description: 'Lifted' })
  @ApiErrors(404)
  async lift(@Param('address') address: string): Promise<void> {
    if (!(await this.bans.lift(address))) throw DomainError.notFound('ban', address);
  }
}
