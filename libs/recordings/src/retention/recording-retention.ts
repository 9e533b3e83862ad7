import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { mkdir, unlink } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { preparedQuery } from '@pbx/database';
import { recordingFile } from '../link/recording-files';
import { retentionCutoff } from './retention-rule';

const HOUR_MS = 3_600_000;
const BATCH = 500;
/** one run stops after this long; the next hour's goes on */
const RUN_BUDGET_MS = 60_000;

/**
 * RECORDINGS_RETENTION_DAYS (retention-rule.ts): at boot and every hour, recordings past it are
 * marked `deleted` (their link answers 404 from then on), then their files removed, in batches.
 * Also creates RECORDINGS_DIR at boot when it is missing.
 */
@Injectable()
export class RecordingRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('recording-retention');
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.config.recordings.dir, { recursive: true }).catch((error: Error) =>
      this.logger.error(`cannot create RECORDINGS_DIR ${this.config.recordings.dir}: ${error.message}`),
    );
    if (this.config.recordings.retentionDays === 0) return;
    void this.run();
    this.timer = setInterval(() => void this.run(), HOUR_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One run at a time: asked for while one goes, it joins it. Resolves to how many were removed. */
  run(now = new Date()): Promise<number> {
    this.running ??= this.purge(now)
      .catch((error: Error) => {
        this.logger.error(`retention run failed: ${error.message}`);
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async purge(now: Date): Promise<number> {
    const cutoff = retentionCutoff(now, this.config.recordings.retentionDays);
    if (cutoff === null) return 0;
    const started = Date.now();
    let removed = 0;
    let batch: string[];
    do {
      // marked first: the link is 404 before the file goes, and a second worker skips these rows
      const { rows } = await preparedQuery<{ token: string }>(
        this.dataSource,
        `UPDATE recordings r SET status = 'deleted', deleted_at = now()
          WHERE r.token IN (
            SELECT token FROM recordings
             WHERE (status = 'ready' AND ready_at < $1) OR (status = 'failed' AND created_at < $1)
             ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING r.token`,
        [cutoff],
      );
      batch = rows.map((row) => row.token);
      for (const token of batch) await this.removeFile(token);
      removed += batch.length;
    } while (batch.length === BATCH && Date.now() - started < RUN_BUDGET_MS);
    if (removed > 0)
      this.logger.log(`removed ${removed} recording(s) older than ${this.config.recordings.retentionDays} days`);
    return removed;
  }

  private async removeFile(token: string): Promise<void> {
    try {
      await unlink(recordingFile(this.config.recordings.dir, token));
    } catch (error) {
      // a failed recording may have no file; anything else leaves an orphan file to say (never the token)
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn(`a deleted recording's file could not be removed: ${(error as Error).message.split(',')[0]}`);
    }
  }
}
