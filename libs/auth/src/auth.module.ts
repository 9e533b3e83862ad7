import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThrottlingModule } from '@pbx/throttling';
import { ApiToken } from './api-token.entity';
import { AuthGuard } from './auth.guard';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** Tokens and the global guard; the guard also applies the rate limits (ThrottlingModule). */
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken]), ThrottlingModule],
  controllers: [TokensController],
  providers: [TokensService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensService],
})
export class AuthModule {}
