import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest, RequireScopes } from '@pbx/auth';
import { CdrsService } from './cdrs.service';
import { SearchCdrsDto } from './dto/search-cdrs.dto';

@ApiTags('cdrs')
@ApiBearerAuth()
@RequireScopes('calls')
@Controller('api/pbx/cdrs')
export class CdrsController {
  constructor(private readonly cdrs: CdrsService) {}

  /** `{ data: [...], next_cursor }`: pass next_cursor back as `cursor` for the next page. */
  @Get()
  search(@Req() request: AuthenticatedRequest, @Query() query: SearchCdrsDto) {
    return this.cdrs.search(query, request.auth?.limits);
  }
}
