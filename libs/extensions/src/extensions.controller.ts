import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateExtensionDto, UpdateExtensionDto } from './dto/extension.dto';

import { ExtensionsService } from './extensions.service';

@ApiTags('extensions')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('api/pbx/extensions')
export class ExtensionsController {
  constructor(private readonly extensions: ExtensionsService) {}

  @Post()
  async create(@Body() dto: CreateExtensionDto) {
    return { data: await this.extensions.create(dto) };
  }

  @Get()
  async list() {
    return { data: await this.extensions.list() };
  }

  @Get(':id')
  async get(@Param('id', new IdPipe('extension')) id: number) {
    return { data: await this.extensions.get(id) };
  }

  @Patch(':id')
  async update(@Param('id', new IdPipe('extension')) id: number, @Body() dto: UpdateExtensionDto) {
    return { data: await this.extensions.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe('extension')) id: number): Promise<void> {
    await this.extensions.remove(id);
  }
}
