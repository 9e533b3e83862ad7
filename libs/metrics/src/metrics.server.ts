import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { MetricsService } from './metrics.service';

/** The worker has no HTTP API: a minimal loopback server exposes its /metrics. */
@Injectable()
export class MetricsServer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.workerMetricsPort) return;
    this.server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.metrics.registry
        .metrics()
        .then((text) => response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(text))
        .catch(() => response.writeHead(500).end());
    });
    this.server.on('error', (error) => this.logger.warn(`metrics server: ${error.message}`));
    this.server.listen(this.config.workerMetricsPort, this.config.host, () => this.logger.log(`metrics on http://${this.config.host}:${this.config.workerMetricsPort}/metrics`));
  }

  onModuleDestroy(): void {
    this.server?.close();
  }
}
