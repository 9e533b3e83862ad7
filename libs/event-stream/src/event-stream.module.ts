import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthModule } from '@pbx/auth';
import { CallsModule } from '@pbx/calls';
import { StreamController } from './stream.controller';
import { StreamHub } from './stream-hub';
import { StreamUpgrade, TrustProxy } from './stream-upgrade';

const TRUST_NOBODY: TrustProxy = () => false;

/** Hands the API server's upgrade requests to the stream (Express never sees them). */
@Injectable()
class StreamMount implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly upgrade: StreamUpgrade,
  ) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    const server = adapter.getHttpServer() as Server;
    const express = adapter.getInstance<{ get(setting: string): unknown }>();
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // the compiled TRUST_PROXY rule, as Express applies it to request.ip
      const trust = (express.get('trust proxy fn') as TrustProxy | undefined) ?? TRUST_NOBODY;
      this.upgrade.handle(request, socket, head, trust);
    });
  }
}

/** The real-time stream, GET /api/pbx/events (SPEC section 3). API side only. */
@Module({
  imports: [CallsModule, AuthModule],
  controllers: [StreamController],
  providers: [StreamHub, StreamUpgrade, StreamMount],
})
export class EventStreamModule {}
