import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordingRowsModule } from '@pbx/recordings';
import { Cdr } from './cdr.entity';
import { CdrsController } from './cdrs.controller';
import { CdrsService } from './cdrs.service';
import { CdrWriter } from './cdr-writer';

/** CDR search (API). */
@Module({
  imports: [TypeOrmModule.forFeature([Cdr]), RecordingRowsModule],
  controllers: [CdrsController],
  providers: [CdrsService],
})
export class CdrsModule {}

/** CDR writing, for the call funnel (API and worker). */
@Module({ providers: [CdrWriter], exports: [CdrWriter] })
export class CdrWriterModule {}
