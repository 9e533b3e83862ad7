import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ComponentState, HealthReport } from './health.service';

type HealthChecks = HealthReport['checks'];

const STATES: ComponentState[] = ['up', 'down'];

@ApiSchema({ name: 'HealthChecks' })
export class HealthChecksDto implements HealthChecks {
  @ApiProperty({ enum: STATES })
  database: ComponentState;

  @ApiProperty({ enum: STATES })
  ami: ComponentState;

  @ApiProperty({ enum: STATES })
  ari: ComponentState;
}

/** The OpenAPI schema of HealthReport, answered with 200 when all is up and 503 otherwise. */
@ApiSchema({ name: 'HealthReport' })
export class HealthReportDto implements HealthReport {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status: 'ok' | 'unavailable';

  @ApiProperty({ type: HealthChecksDto })
  checks: HealthChecksDto;

  @ApiProperty({ type: String, isArray: true, example: [], description: 'the names of the checks that are down' })
  down: string[];
}
