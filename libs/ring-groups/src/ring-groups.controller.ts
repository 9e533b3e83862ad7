import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateRingGroupDto, UpdateRingGroupDto } from './dto/ring-group.dto';
import { RingGroupViewDto } from './dto/ring-group.view';
import { RingGroupsService } from './ring-groups.service';

@ApiTags('ring-groups')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/ring-groups')
export class RingGroupsController {
  constructor(private readonly groups: RingGroupsService) {}

  @Post()
  @ApiOperation({ operationId: 'createRingGroup', summary: 'Create a ring group' })
  @ApiData(RingGroupViewDto, { status: 201, description: 'The ring group' })
  @ApiErrors(400, [409, 'The name is taken (`duplicate`)'], 413, 415, 422)
  async create(@Body() dto: CreateRingGroupDto) {
    return { data: await this.groups.create(dto) };
  }

  @Get()
  @ApiOperation({ operationId: 'listRingGroups', summary: 'List ring groups' })
  @ApiData(RingGroupViewDto, { isArray: true, description: 'Every ring group, by id' })
  async list() {
    return { data: await this.groups.list() };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getRingGroup', summary: 'Get a ring group' })
  @ApiData(RingGroupViewDto, { description: 'The ring group' })
  @ApiErrors(404)
  async get(@IdParam('ring group') id: number) {
    return { data: await this.groups.get(id) };
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateRingGroup',
    summary: 'Update a ring group',
    description: '`members`, when given, replaces the whole ordered list.',
  })
  @ApiData(RingGroupViewDto, { description: 'The ring group as updated' })
  @ApiErrors(400, 404, [409, 'The name is taken (`duplicate`)'], 413, 415, 422)
  async update(@IdParam('ring group') id: number, @Body() dto: UpdateRingGroupDto) {
    return { data: await this.groups.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteRingGroup', summary: 'Delete a ring group' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, [409, 'An inbound route sends calls to it (`in_use`, the routes in `details`)'])
  async remove(@IdParam('ring group') id: number): Promise<void> {
    await this.groups.remove(id);
  }
}
