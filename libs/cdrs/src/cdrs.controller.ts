import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest, RequireScopes } from '@pbx/auth';
import { ApiErrors } from '@pbx/common';
import { CdrsService } from './cdrs.service';
import { CdrPageDto } from './dto/cdr.view';
import { SearchCdrsDto } from './dto/search-cdrs.dto';

@ApiTags('cdrs')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('calls')
@Controller('api/pbx/cdrs')
export class CdrsController {
  constructor(private readonly cdrs: CdrsService) {}

  /** `{ data: [...], next_cursor }`: pass next_cursor back as `cursor` for the next page. */
  @Get()
  @ApiOperation({
    operationId: 'searchCdrs',
    summary: 'Search call history',
    description:
      'Newest first, filtered on start time, direction, extension (the `extension` column), phone (the external party’s number in every direction: the number called, or the caller of an inbound call), DID, call uuid and disposition; a limited token sees only its extensions’ and trunks’ calls.',
  })
  @ApiOkResponse({ type: CdrPageDto, description: 'A page of CDRs and the cursor of the next one' })
  @ApiErrors([
    422,
    'A filter is invalid, `to` is not after `from`, or the cursor is not one this API gave (`validation_failed`)',
  ])
  search(@Req() request: AuthenticatedRequest, @Query() query: SearchCdrsDto) {
    return this.cdrs.search(query, request.auth?.limits);
  }
}
