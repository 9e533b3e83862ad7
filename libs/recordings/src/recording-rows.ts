import { Injectable, Module } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { newRecordingToken } from './recording-token';

/** A recording as the worker drives it: its token, the segments recorded so far, the one recording now. */
export interface RecordingProgress {
  token: string;
  segments: string[];
  activeSegment: string | null;
}

/**
 * The `recordings` table for the other domains (the worker's recorder, the call funnel, the CDR
 * and call reads): plain SQL, one statement each.
 */
@Injectable()
export class RecordingRows {
  constructor(private readonly dataSource: DataSource) {}

  /** The call's recording, if recording ever started; in the caller's transaction when given one. */
  async ofCall(callUuid: string, manager?: EntityManager): Promise<RecordingProgress | null> {
    const rows = await (manager ?? this.dataSource).query<
      { token: string; segments: string[]; active_segment: string | null }[]
    >(`SELECT token, segments, active_segment FROM recordings WHERE call_uuid = $1`, [callUuid]);
    const row = rows[0];
    return row ? { token: row.token, segments: row.segments, activeSegment: row.active_segment } : null;
  }

  /** Pending recordings, oldest first (the worker looks for those a stopped worker left behind). */
  async pending(limit: number): Promise<Array<{ callUuid: string } & RecordingProgress>> {
    const rows = await this.dataSource.query<
      { call_uuid: string; token: string; segments: string[]; active_segment: string | null }[]
    >(
      `SELECT call_uuid, token, segments, active_segment FROM recordings WHERE status = 'pending'
        ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      callUuid: r.call_uuid,
      token: r.token,
      segments: r.segments,
      activeSegment: r.active_segment,
    }));
  }

  /** The call's recording, created pending with a new token when there is none yet. */
  async open(callUuid: string): Promise<RecordingProgress> {
    await this.dataSource.query(
      `INSERT INTO recordings (token, call_uuid, status) VALUES ($1, $2, 'pending') ON CONFLICT (call_uuid) DO NOTHING`,
      [newRecordingToken(), callUuid],
    );
    return (await this.ofCall(callUuid))!;
  }

  async segmentStarted(callUuid: string, segment: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE recordings SET segments = array_append(segments, $2), active_segment = $2 WHERE call_uuid = $1`,
      [callUuid, segment],
    );
  }

  async segmentStopped(callUuid: string): Promise<void> {
    await this.dataSource.query(`UPDATE recordings SET active_segment = NULL WHERE call_uuid = $1`, [callUuid]);
  }

  /** Settles a pending recording as ready; throws (so its event is not written) when it was already settled. */
  async ready(token: string, durationSeconds: number, bytes: number, manager?: EntityManager): Promise<void> {
    const [, count] = await (manager ?? this.dataSource).query<[unknown[], number]>(
      `UPDATE recordings SET status = 'ready', duration_seconds = $2, bytes = $3, ready_at = now(), failure_reason = NULL
        WHERE token = $1 AND status = 'pending'`,
      [token, durationSeconds, bytes],
    );
    if (count === 0) throw new Error('the recording was already settled');
  }

  /** Settles a pending recording as failed; throws (so its event is not written) when it was already settled. */
  async failed(token: string, reason: string, manager?: EntityManager): Promise<void> {
    const [, count] = await (manager ?? this.dataSource).query<[unknown[], number]>(
      `UPDATE recordings SET status = 'failed', failure_reason = $2 WHERE token = $1 AND status = 'pending'`,
      [token, reason.slice(0, 200)],
    );
    if (count === 0) throw new Error('the recording was already settled');
  }

  /** The status of each of these recordings, by token. */
  async statuses(tokens: readonly string[]): Promise<Map<string, string>> {
    if (tokens.length === 0) return new Map();
    const rows = await this.dataSource.query<{ token: string; status: string }[]>(
      `SELECT token, status FROM recordings WHERE token = ANY($1)`,
      [tokens],
    );
    return new Map(rows.map((r) => [r.token, r.status]));
  }

  /**
   * Of these calls, those whose recording still has (or will have) a file: pending or ready.
   * Call retention keeps them, since deleting the call would take the row, and the file would
   * be left behind; recording retention deletes the file first (then the status is deleted).
   */
  async callsKeepingFiles(callUuids: readonly string[]): Promise<Set<string>> {
    if (callUuids.length === 0) return new Set();
    const rows = await this.dataSource.query<{ call_uuid: string }[]>(
      `SELECT call_uuid FROM recordings WHERE call_uuid = ANY($1) AND status IN ('pending', 'ready')`,
      [callUuids],
    );
    return new Set(rows.map((r) => r.call_uuid));
  }

  /** The call's recording's token and status (GET /calls/:uuid). */
  async statusOfCall(callUuid: string): Promise<{ token: string; status: string } | null> {
    const rows = await this.dataSource.query<{ token: string; status: string }[]>(
      `SELECT token, status FROM recordings WHERE call_uuid = $1`,
      [callUuid],
    );
    return rows[0] ?? null;
  }
}

/** RecordingRows for the domains that read or drive recordings. */
@Module({ providers: [RecordingRows], exports: [RecordingRows] })
export class RecordingRowsModule {}
