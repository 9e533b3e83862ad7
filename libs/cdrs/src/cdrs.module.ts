import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Cdr } from './cdr.entity';
import { CdrsController } from './cdrs.controller';
import { CdrsService } from './cdrs.service';

@Module({
  imports: [TypeOrmModule.forFeature([Cdr])],
  controllers: [CdrsController],
  providers: [CdrsService],
})
export class CdrsModule {}
