import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

/** The API serves /metrics itself. */
@Module({ controllers: [MetricsController] })
export class MetricsHttpModule {}
