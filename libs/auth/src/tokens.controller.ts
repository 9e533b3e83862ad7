import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { ApiToken } from './api-token.entity';
import { CreateTokenDto } from './dto/create-token.dto';
import { TokenCreatedDto, TokenViewDto } from './dto/token.view';
import { RequireScopes } from './scope';
import { TokensService } from './tokens.service';

const view = (token: ApiToken): TokenViewDto => ({
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
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({
    operationId: 'createToken',
    summary: 'Create an API token',
    description: 'Limits (`extensions`, `trunk_ids`, `max_concurrent_calls`) apply to a `calls` token only.',
  })
  @ApiData(TokenCreatedDto, { status: 201, description: 'The token, with its plaintext in `token` (shown this once)' })
  @ApiErrors(400, 413, 415, 422)
  async create(@Body() dto: CreateTokenDto) {
    const { token, plaintext } = await this.tokens.create(dto);
    const created: TokenCreatedDto = { ...view(token), token: plaintext };
    return { data: created };
  }

  @Get()
  @ApiOperation({ operationId: 'listTokens', summary: 'List API tokens' })
  @ApiData(TokenViewDto, { isArray: true, description: 'Every token, without its plaintext' })
  async list() {
    return { data: (await this.tokens.list()).map(view) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteToken', summary: 'Delete an API token' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async remove(@IdParam('token') id: number): Promise<void> {
    await this.tokens.remove(id);
  }
}
