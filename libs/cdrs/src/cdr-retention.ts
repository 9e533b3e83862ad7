import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  addMonths,
  dropMonthPartition,
  ensureMonthlyPartitions,
  listPartitions,
  monthOf,
  monthStart,
  partitionsWhollyBefore,
} from '@pbx/database';

const CDRS = 'cdrs';
const BATCH = 5000;

/** The first instant CDR_RETENTION_MONTHS = `months` keeps: this month and the `months` whole months before it. */
export function cdrRetentionStart(now: Date, months: number): Date | null {
  return months > 0 ? monthStart(addMonths(monthOf(now), -months)) : null;
}

/**
 * The CDR side of bounded growth (SPEC section 5). CDRs are billing records: kept for ever
 * unless CDR_RETENTION_MONTHS is set; then whole months older than that drop as partitions
 * (DETACH, DROP), never row by row, except strays in the default partition.
 */
@Injectable()
export class CdrRetention {
  constructor(private readonly dataSource: DataSource) {}

  /** This month's and the next `ahead` months' partitions (so the default one stays empty). */
  ensurePartitions(now: Date, ahead: number): Promise<string[]> {
    return ensureMonthlyPartitions(this.dataSource, CDRS, now, ahead);
  }

  /** Drops the months before `start` (see cdrRetentionStart). Returns the partitions dropped and the CDRs gone. */
  async dropMonthsBefore(start: Date): Promise<{ dropped: string[]; rows: number }> {
    const partitions = await listPartitions(this.dataSource, CDRS);
    const dropped: string[] = [];
    let rows = 0;
    for (const partition of partitionsWhollyBefore(partitions, start)) {
      const [{ count }] = await this.dataSource.query<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM cdrs WHERE started_at >= $1 AND started_at < $2`,
        [partition.from, partition.to],
      );
      // busy past the lock timeout: the next run drops it
      if (!(await dropMonthPartition(this.dataSource, CDRS, partition.name))) continue;
      dropped.push(partition.name);
      rows += count;
    }
    // rows of months without a partition of their own sit in the default one
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown[], number]>(
        `DELETE FROM cdrs WHERE (id, started_at) IN (
           SELECT id, started_at FROM cdrs WHERE started_at < $1 LIMIT ${BATCH})`,
        [start],
      );
      rows += count;
      if (count < BATCH) break;
    }
    return { dropped, rows };
  }
}

/** CDR retention, for the worker's retention job. */
@Module({ providers: [CdrRetention], exports: [CdrRetention] })
export class CdrRetentionModule {}
