import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Recording } from '../recording.entity';
import { RecordingLinksController } from './recording-links.controller';
import { RecordingLinks } from './recording-links.service';

/** The API's side of recordings: their public links. */
@Module({
  imports: [TypeOrmModule.forFeature([Recording])],
  controllers: [RecordingLinksController],
  providers: [RecordingLinks],
})
export class RecordingLinksModule {}
