import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TrunksModule } from '@pbx/trunks';
import { BanEnforcer } from './ban-enforcer';
import { BansController } from './bans.controller';
import { BansStore } from './bans.store';
import { ContactMoves } from './contact-moves';
import { SipBan } from './sip-ban.entity';

/** The API's side: list and lift bans. */
@Module({
  imports: [TypeOrmModule.forFeature([SipBan])],
  controllers: [BansController],
  providers: [BansStore],
})
export class SecurityModule {}

/** The worker's side: bans from AMI security events, their expiry, contact moves. */
@Module({
  imports: [TypeOrmModule.forFeature([SipBan]), TrunksModule],
  providers: [BansStore, BanEnforcer, ContactMoves],
})
export class SecurityWorkerModule {}
