import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@pbx/auth';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 when database, AMI and ARI are all up; 503 naming what is down. */
  @Get()
  async get(@Res({ passthrough: true }) response: Response) {
    const report = await this.health.report();
    response.status(report.status === 'ok' ? 200 : 503);
    return { data: report };
  }
}
