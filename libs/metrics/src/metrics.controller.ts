import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@pbx/auth';
import { DomainError, ErrorCode } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { metricsScrapeAllowed } from './metrics-access';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Prometheus text format. With API_METRICS_PORT set it is served there only (404 here); with
   * METRICS_TOKEN set it needs that bearer token. The worker serves its own on WORKER_METRICS_PORT.
   */
  @Get()
  async scrape(@Res({ passthrough: true }) response: Response, @Headers('authorization') authorization?: string): Promise<string> {
    if (this.config.metrics.apiPort > 0) throw new DomainError(ErrorCode.NotFound, 'no such route');
    if (!metricsScrapeAllowed(this.config.metrics.token, authorization)) throw new DomainError(ErrorCode.Unauthorized, 'metrics need the METRICS_TOKEN bearer token');
    const text = await this.metrics.registry.metrics();
    response.setHeader('Content-Type', 'text/plain; version=0.0.4');
    return text;
  }
}
