import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TrunksModule } from '@pbx/trunks';
import { CallerId } from './caller-id.entity';
import { CallerIdsController } from './caller-ids.controller';
import { CallerIdsService } from './caller-ids.service';

@Module({
  imports: [TypeOrmModule.forFeature([CallerId]), TrunksModule],
  controllers: [CallerIdsController],
  providers: [CallerIdsService],
  exports: [CallerIdsService],
})
export class CallerIdsModule {}
