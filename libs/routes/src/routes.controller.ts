import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateRouteDto, UpdateRouteDto } from './dto/route.dto';
import { RouteViewDto } from './dto/route.view';
import { RoutesService } from './routes.service';

@ApiTags('routes')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/routes')
export class RoutesController {
  constructor(private readonly routes: RoutesService) {}

  @Post()
  @ApiOperation({ operationId: 'createRoute', summary: 'Create an outbound route' })
  @ApiData(RouteViewDto, { status: 201, description: 'The route' })
  @ApiErrors(400, [409, 'The name or pattern is taken (`duplicate`)'], 413, 415, 422)
  async create(@Body() dto: CreateRouteDto) {
    return { data: await this.routes.create(dto) };
  }

  @Get()
  @ApiOperation({ operationId: 'listRoutes', summary: 'List outbound routes' })
  @ApiData(RouteViewDto, { isArray: true, description: 'Every route, by id' })
  async list() {
    return { data: await this.routes.list() };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getRoute', summary: 'Get an outbound route' })
  @ApiData(RouteViewDto, { description: 'The route' })
  @ApiErrors(404)
  async get(@IdParam('route') id: number) {
    return { data: await this.routes.get(id) };
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateRoute',
    summary: 'Update an outbound route',
    description: '`trunk_ids`, when given, replaces the whole ordered list.',
  })
  @ApiData(RouteViewDto, { description: 'The route as updated' })
  @ApiErrors(400, 404, [409, 'The name or pattern is taken (`duplicate`)'], 413, 415, 422)
  async update(@IdParam('route') id: number, @Body() dto: UpdateRouteDto) {
    return { data: await this.routes.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteRoute', summary: 'Delete an outbound route' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async remove(@IdParam('route') id: number): Promise<void> {
    await this.routes.remove(id);
  }
}
