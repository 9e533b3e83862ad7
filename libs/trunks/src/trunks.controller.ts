import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateTrunkDto, UpdateTrunkDto } from './dto/trunk.dto';
import { TrunkViewDto } from './dto/trunk.view';
import { TrunksService } from './trunks.service';

@ApiTags('trunks')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/trunks')
export class TrunksController {
  constructor(private readonly trunks: TrunksService) {}

  @Post()
  @ApiOperation({ operationId: 'createTrunk', summary: 'Create a trunk' })
  @ApiData(TrunkViewDto, { status: 201, description: 'The trunk (without its password)' })
  @ApiErrors(400, [409, 'The name is taken (`duplicate`)'], 413, 415, 422)
  async create(@Body() dto: CreateTrunkDto) {
    return { data: await this.trunks.create(dto) };
  }

  @Get()
  @ApiOperation({ operationId: 'listTrunks', summary: 'List trunks' })
  @ApiData(TrunkViewDto, { isArray: true, description: 'Every trunk, by id' })
  async list() {
    return { data: await this.trunks.list() };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTrunk', summary: 'Get a trunk' })
  @ApiData(TrunkViewDto, { description: 'The trunk (without its password)' })
  @ApiErrors(404)
  async get(@IdParam('trunk') id: number) {
    return { data: await this.trunks.get(id) };
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateTrunk', summary: 'Update a trunk' })
  @ApiData(TrunkViewDto, { description: 'The trunk as updated' })
  @ApiErrors(400, 404, [409, 'The name is taken (`duplicate`)'], 413, 415, 422)
  async update(@IdParam('trunk') id: number, @Body() dto: UpdateTrunkDto) {
    return { data: await this.trunks.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteTrunk', summary: 'Delete a trunk' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, [409, 'The trunk is used by a caller id or an outbound route, or carries a live call (`in_use`)'])
  async remove(@IdParam('trunk') id: number): Promise<void> {
    await this.trunks.remove(id);
  }
}
