import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateTrunkDto, UpdateTrunkDto } from './dto/trunk.dto';
import { TrunksService } from './trunks.service';

@ApiTags('trunks')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('api/pbx/trunks')
export class TrunksController {
  constructor(private readonly trunks: TrunksService) {}

  @Post()
  async create(@Body() dto: CreateTrunkDto) {
    return { data: await this.trunks.create(dto) };
  }

  @Get()
  async list() {
    return { data: await this.trunks.list() };
  }

  @Get(':id')
  async get(@Param('id', new IdPipe('trunk')) id: number) {
    return { data: await this.trunks.get(id) };
  }

  @Patch(':id')
  async update(@Param('id', new IdPipe('trunk')) id: number, @Body() dto: UpdateTrunkDto) {
    return { data: await this.trunks.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe('trunk')) id: number): Promise<void> {
    await this.trunks.remove(id);
  }
}
