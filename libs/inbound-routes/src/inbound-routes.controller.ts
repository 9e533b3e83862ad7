import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateInboundRouteDto, UpdateInboundRouteDto } from './dto/inbound-route.dto';
import { InboundRouteViewDto } from './dto/inbound-route.view';
import { InboundRoutesService } from './inbound-routes.service';

const DUPLICATE: [409, string] = [409, 'A route for this did (one leading + ignored) and trunk exists (`duplicate`)'];

@ApiTags('inbound-routes')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/inbound-routes')
export class InboundRoutesController {
  constructor(private readonly routes: InboundRoutesService) {}

  @Post()
  @ApiOperation({
    operationId: 'createInboundRoute',
    summary: 'Create an inbound route',
    description:
      "A call from a carrier takes the route of its DID on its trunk, else of its DID on any trunk, else '' (any number) on its trunk, else '' on any trunk; with none it is refused (cause 1).",
  })
  @ApiData(InboundRouteViewDto, { status: 201, description: 'The route' })
  @ApiErrors(400, DUPLICATE, 413, 415, 422)
  async create(@Body() dto: CreateInboundRouteDto) {
    return { data: await this.routes.create(dto) };
  }

  @Get()
  @ApiOperation({ operationId: 'listInboundRoutes', summary: 'List inbound routes' })
  @ApiData(InboundRouteViewDto, { isArray: true, description: 'Every inbound route, by id' })
  async list() {
    return { data: await this.routes.list() };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getInboundRoute', summary: 'Get an inbound route' })
  @ApiData(InboundRouteViewDto, { description: 'The route' })
  @ApiErrors(404)
  async get(@IdParam('inbound route') id: number) {
    return { data: await this.routes.get(id) };
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateInboundRoute', summary: 'Update an inbound route' })
  @ApiData(InboundRouteViewDto, { description: 'The route as updated' })
  @ApiErrors(400, 404, DUPLICATE, 413, 415, 422)
  async update(@IdParam('inbound route') id: number, @Body() dto: UpdateInboundRouteDto) {
    return { data: await this.routes.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteInboundRoute', summary: 'Delete an inbound route' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async remove(@IdParam('inbound route') id: number): Promise<void> {
    await this.routes.remove(id);
  }
}
