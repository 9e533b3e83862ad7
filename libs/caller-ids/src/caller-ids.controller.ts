import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CallerIdsService } from './caller-ids.service';
import { CreateCallerIdDto } from './dto/create-caller-id.dto';

@ApiTags('caller-ids')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('api/pbx/caller-ids')
export class CallerIdsController {
  constructor(private readonly callerIds: CallerIdsService) {}

  @Post()
  async create(@Body() dto: CreateCallerIdDto) {
    return { data: await this.callerIds.create(dto) };
  }

  /** Integrators (scope `calls`) may read the list to pick a caller id. */
  @Get()
  @RequireScopes('admin', 'calls')
  async list() {
    return { data: await this.callerIds.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe('caller id')) id: number): Promise<void> {
    await this.callerIds.remove(id);
  }
}
