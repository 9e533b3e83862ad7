import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { CreateExtensionDto, UpdateExtensionDto } from './dto/extension.dto';
import { ExtensionSavedDto, ExtensionViewDto } from './dto/extension.view';
import { ExtensionsService } from './extensions.service';

@ApiTags('extensions')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/extensions')
export class ExtensionsController {
  constructor(private readonly extensions: ExtensionsService) {}

  @Post()
  @ApiOperation({ operationId: 'createExtension', summary: 'Create an extension' })
  @ApiData(ExtensionSavedDto, {
    status: 201,
    description: 'The extension; its phone can register at once. A generated password is in `password`, this once.',
  })
  @ApiErrors(400, [409, 'The number is taken (`duplicate`)'], 413, 415, 422)
  async create(@Body() dto: CreateExtensionDto) {
    return { data: await this.extensions.create(dto) };
  }

  @Get()
  @ApiOperation({ operationId: 'listExtensions', summary: 'List extensions' })
  @ApiData(ExtensionViewDto, { isArray: true, description: 'Every extension, by id' })
  async list() {
    return { data: await this.extensions.list() };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getExtension', summary: 'Get an extension' })
  @ApiData(ExtensionViewDto, { description: 'The extension, with `registered` read live' })
  @ApiErrors(404)
  async get(@IdParam('extension') id: number) {
    return { data: await this.extensions.get(id) };
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateExtension',
    summary: 'Update an extension',
    description:
      'A new number without a new password gets a generated one, returned once as `password` (the SIP credential covers the number).',
  })
  @ApiData(ExtensionSavedDto, {
    description: 'The extension as updated; a generated password is in `password`, this once',
  })
  @ApiErrors(
    400,
    404,
    [409, 'The number is taken (`duplicate`), or a new number for one a ring group or inbound route names (`in_use`)'],
    413,
    415,
    422,
  )
  async update(@IdParam('extension') id: number, @Body() dto: UpdateExtensionDto) {
    return { data: await this.extensions.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteExtension', summary: 'Delete an extension' })
  @ApiNoContentResponse({ description: 'Deleted; its phone can no longer register or call' })
  @ApiErrors(404, [409, 'A ring group or inbound route names it (`in_use`, the referrers in `details`)'])
  async remove(@IdParam('extension') id: number): Promise<void> {
    await this.extensions.remove(id);
  }
}
