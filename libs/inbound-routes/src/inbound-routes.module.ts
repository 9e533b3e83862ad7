import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExtensionsModule } from '@pbx/extensions';
import { TrunksModule } from '@pbx/trunks';
import { RingGroupsModule } from '@pbx/ring-groups';
import { InboundRoute } from './inbound-route.entity';
import { InboundRoutesController } from './inbound-routes.controller';
import { InboundRoutesService } from './inbound-routes.service';

@Module({
  imports: [TypeOrmModule.forFeature([InboundRoute]), ExtensionsModule, TrunksModule, RingGroupsModule],
  controllers: [InboundRoutesController],
  providers: [InboundRoutesService],
  exports: [InboundRoutesService],
})
export class InboundRoutesModule {}
