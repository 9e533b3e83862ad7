import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AmiConnection, AriConnection } from '@pbx/asterisk';

export type ComponentState = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: { database: ComponentState; ami: ComponentState; ari: ComponentState };
  down: string[];
}

const DB_TIMEOUT_MS = 2_000;
/** /health is public: however often it is asked, the database is asked at most once a second */
export const HEALTH_CACHE_MS = 1_000;

@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ami: AmiConnection,
    private readonly ari: AriConnection,
  ) {}

  private cached?: { report: Promise<HealthReport>; expires: number };

  /** The last report while it is fresh; callers arriving during a check share it. */
  report(): Promise<HealthReport> {
    const now = Date.now();
    if (this.cached && this.cached.expires > now) return this.cached.report;
    const report = this.check();
    this.cached = { report, expires: now + HEALTH_CACHE_MS };
    // the freshness counts from when the check ends, so a slow database is not asked back to back
    void report.then(() => this.cached?.report === report && (this.cached.expires = Date.now() + HEALTH_CACHE_MS));
    return report;
  }

  private async check(): Promise<HealthReport> {
    const checks = {
      database: (await this.databaseUp()) ? 'up' : 'down',
      ami: this.ami.connected ? 'up' : 'down',
      ari: this.ari.connected ? 'up' : 'down',
    } as const;
    const down = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    return { status: down.length === 0 ? 'ok' : 'unavailable', checks, down };
  }

  async databaseUp(): Promise<boolean> {
    if (!this.dataSource.isInitialized) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), DB_TIMEOUT_MS))),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
