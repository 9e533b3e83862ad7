import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RecordingStatus = 'pending' | 'ready' | 'failed' | 'deleted';

/** One recorded call: its token, the Asterisk segments that make its MP3, and where it stands. */
@Entity({ name: 'recordings' })
export class Recording {
  /** ≥ 128 random bits, base64url: the public link's only secret */
  @PrimaryColumn({ type: 'varchar', length: 43 })
  token: string;

  @Column({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ type: 'varchar', length: 8, default: 'pending' })
  status: RecordingStatus;

  /** Asterisk stored recording names, in recording order */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  segments: string[];

  /** the segment being recorded now (null: not recording) */
  @Column({ name: 'active_segment', type: 'text', nullable: true })
  activeSegment: string | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds: number | null;

  @Column({ type: 'bigint', nullable: true })
  bytes: string | null;

  @Column({ name: 'failure_reason', type: 'varchar', length: 200, nullable: true })
  failureReason: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'ready_at', type: 'timestamptz', nullable: true })
  readyAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
