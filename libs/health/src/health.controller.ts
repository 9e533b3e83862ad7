import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@pbx/auth';
import { ApiData, ApiErrors, dataWrapperOf } from '@pbx/common';
import { HealthReportDto } from './health-report.view';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 when database, AMI and ARI are all up; 503 naming what is down. */
  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Check health',
    description: 'Answered from a cache of at most 1 s.',
  })
  @ApiData(HealthReportDto, { description: 'The database, AMI and ARI are up' })
  // not an error body: the same report, naming what is down
  @ApiResponse({
    status: 503,
    description: 'Something is down: `data.down` names it',
    type: dataWrapperOf(HealthReportDto),
  })
  @ApiErrors(429)
  async get(@Res({ passthrough: true }) response: Response) {
    const report = await this.health.report();
    response.status(report.status === 'ok' ? 200 : 503);
    return { data: report };
  }
}
