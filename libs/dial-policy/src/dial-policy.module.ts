import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DialPolicyRow } from './dial-policy.entity';
import { DialPolicyController } from './dial-policy.controller';
import { DialPolicyService } from './dial-policy.service';

@Module({
  imports: [TypeOrmModule.forFeature([DialPolicyRow])],
  controllers: [DialPolicyController],
  providers: [DialPolicyService],
  exports: [DialPolicyService],
})
export class DialPolicyModule {}
