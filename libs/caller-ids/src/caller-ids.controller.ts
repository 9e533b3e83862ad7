import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CallerIdsService } from './caller-ids.service';
import { CreateCallerIdDto } from './dto/create-caller-id.dto';
import { CallerIdViewDto } from './dto/caller-id.view';

@ApiTags('caller-ids')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/caller-ids')
export class CallerIdsController {
  constructor(private readonly callerIds: CallerIdsService) {}

  @Post()
  @ApiOperation({ operationId: 'createCallerId', summary: 'Create a caller id' })
  @ApiData(CallerIdViewDto, { status: 201, description: 'The caller id' })
  @ApiErrors(400, [409, 'The number is taken (`duplicate`)'], 413, 415, 422)
  async create(@Body() dto: CreateCallerIdDto) {
    return { data: await this.callerIds.create(dto) };
  }

  /** Integrators (scope `calls`) may read the list to pick a caller id. */
  @Get()
  @RequireScopes('admin', 'calls')
  @ApiOperation({
    operationId: 'listCallerIds',
    summary: 'List caller ids',
    description: 'Scope `admin` or `calls`: a CRM picks the caller id of a click-to-call here.',
  })
  @ApiData(CallerIdViewDto, { isArray: true, description: 'Every caller id, by id' })
  async list() {
    return { data: await this.callerIds.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteCallerId', summary: 'Delete a caller id' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async remove(@IdParam('caller id') id: number): Promise<void> {
    await this.callerIds.remove(id);
  }
}
