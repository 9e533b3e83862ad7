import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Provider } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { metricsScrapeAllowed } from './metrics-access';
import { MetricsService } from './metrics.service';

const METRICS_PORT = Symbol('METRICS_PORT');

/**
 * A minimal server for /metrics on its own address (METRICS_HOST, loopback by default): the
 * worker's, which has no HTTP API, and the API's when API_METRICS_PORT keeps it off the API port.
 */
@Injectable()
export class MetricsServer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_PORT) private readonly port: number,
  ) {}

  /** The server, listening on the port `select` reads from the configuration (0 = none). */
  static on(select: (config: AppConfig) => number): Provider[] {
    return [{ provide: METRICS_PORT, inject: [APP_CONFIG], useFactory: select }, MetricsServer];
  }

  onModuleInit(): void {
    if (!this.port) return;
    const { host, token } = this.config.metrics;
    this.server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      if (!metricsScrapeAllowed(token, request.headers.authorization)) {
        response.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
        return;
      }
      this.metrics.registry
        .metrics()
        .then((text) => response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(text))
        .catch(() => response.writeHead(500).end());
    });
    this.server.on('error', (error) => this.logger.warn(`metrics server: ${error.message}`));
    this.server.listen(this.port, host, () => this.logger.log(`metrics on http://${host}:${this.port}/metrics`));
  }

  onModuleDestroy(): void {
    this.server?.close();
  }
}
