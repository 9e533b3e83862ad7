import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateRouteDto, UpdateRouteDto } from './dto/route.dto';
import { RoutesService } from './routes.service';

@ApiTags('routes')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('api/pbx/routes')
export class RoutesController {
  constructor(private readonly routes: RoutesService) {}

  @Post()
  async create(@Body() dto: CreateRouteDto) {
    return { data: await this.routes.create(dto) };
  }

  @Get()
  async list() {
    return { data: await this.routes.list() };
  }

  @Get(':id')
  async get(@Param('id', new IdPipe('route')) id: number) {
    return { data: await this.routes.get(id) };
  }

  @Patch(':id')
  async update(@Param('id', new IdPipe('route')) id: number, @Body() dto: UpdateRouteDto) {
    return { data: await this.routes.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe('route')) id: number): Promise<void> {
    await this.routes.remove(id);
  }
}
