import { Module } from '@nestjs/common';
import { RecordingRetention } from './recording-retention';

/** The worker's side of RECORDINGS_RETENTION_DAYS. */
@Module({ providers: [RecordingRetention], exports: [RecordingRetention] })
export class RecordingRetentionModule {}
