import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@pbx/auth';
import { ApiErrors, DomainError, ErrorCode } from '@pbx/common';
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
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Scrape Prometheus metrics',
    description: 'Needs no API token; when METRICS_TOKEN is set, `Authorization: Bearer <METRICS_TOKEN>`.',
  })
  @ApiHeader({
    name: 'authorization',
    required: false,
    description: '`Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set',
  })
  @ApiOkResponse({
    description: 'The API’s metrics in the Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors(
    [401, 'METRICS_TOKEN is set and the request does not carry it (`unauthorized`)'],
    [404, 'API_METRICS_PORT serves the metrics on their own port instead (`not_found`)'],
    429,
  )
  async scrape(
    @Res({ passthrough: true }) response: Response,
    @Headers('authorization') authorization?: string,
  ): Promise<string> {
    if (this.config.metrics.apiPort > 0) throw new DomainError(ErrorCode.NotFound, 'no such route');
    if (!metricsScrapeAllowed(this.config.metrics.token, authorization))
      throw new DomainError(ErrorCode.Unauthorized, 'metrics need the METRICS_TOKEN bearer token');
    const text = await this.metrics.registry.metrics();
    response.setHeader('Content-Type', 'text/plain; version=0.0.4');
    return text;
  }
}
