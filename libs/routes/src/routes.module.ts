import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TrunksModule } from '@pbx/trunks';
import { OutboundRoute, OutboundRouteTrunk } from './outbound-route.entity';
import { RoutesController } from './routes.controller';
import { RoutesService } from './routes.service';

@Module({
  imports: [TypeOrmModule.forFeature([OutboundRoute, OutboundRouteTrunk]), TrunksModule],
  controllers: [RoutesController],
  providers: [RoutesService],
  exports: [RoutesService],
})
export class RoutesModule {}
