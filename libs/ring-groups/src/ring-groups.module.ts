import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExtensionsModule } from '@pbx/extensions';
import { RingGroup } from './ring-group.entity';
import { RingGroupsController } from './ring-groups.controller';
import { RingGroupsService } from './ring-groups.service';

@Module({
  imports: [TypeOrmModule.forFeature([RingGroup]), ExtensionsModule],
  controllers: [RingGroupsController],
  providers: [RingGroupsService],
  exports: [RingGroupsService],
})
export class RingGroupsModule {}
