import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '@pbx/common';
import { ApiToken } from './api-token.entity';
import { CreateTokenDto } from './dto/create-token.dto';
import { RequireScopes } from './scope';
import { TokensService } from './tokens.service';

const view = (token: ApiToken) => ({
  id: token.id,
  name: token.name,
  scopes: token.scopes,
  prefix: token.prefix,
  created_at: token.createdAt,
  last_used_at: token.lastUsedAt,
  // null = unlimited
  extensions: token.extensions,
  trunk_ids: token.trunkIds,
  max_concurrent_calls: token.maxConcurrentCalls,
});

@ApiTags('tokens')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('api/pbx/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  async create(@Body() dto: CreateTokenDto) {
    const { token, plaintext } = await this.tokens.create(dto);
    return { data: { ...view(token), token: plaintext } };
  }

  @Get()
  async list() {
    return { data: (await this.tokens.list()).map(view) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe('token')) id: number): Promise<void> {
    await this.tokens.remove(id);
  }
}
