import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { AMI_EVENT_MASK, AmiConnection } from './ami.connection';
import { ARI_APP_NAME, AriConnection } from './ari/ari.connection';
import { RegistrationsService } from './registrations.service';
import { Asterisk } from './asterisk';
import { ChannelHistory } from './channel-history';
import { PjsipCache } from './pjsip-cache';
import { AsteriskAcl } from './asterisk-acl';

@Module({})
export class AsteriskModule {
  /**
   * `appName` is the Stasis application this process's ARI websocket subscribes to; `amiEvents`
   * the AMI event classes it wants (AMI EventMask: 'off', or e.g. 'system'). Every event costs
   * parsing, and a busy PBX sends several per call, so a process asks only for what it reads.
   */
  static forRoot(appName: (defaultApp: string) => string, amiEvents = 'off'): DynamicModule {
    return {
      module: AsteriskModule,
      global: true,
      providers: [
        AmiConnection,
        AriConnection,
        RegistrationsService,
        Asterisk,
        ChannelHistory,
        PjsipCache,
        AsteriskAcl,
        { provide: AMI_EVENT_MASK, useValue: amiEvents },
        { provide: ARI_APP_NAME, inject: [APP_CONFIG], useFactory: (config: AppConfig) => appName(config.ari.app) },
      ],
      exports: [AmiConnection, AriConnection, RegistrationsService, Asterisk, ChannelHistory, PjsipCache, AsteriskAcl],
    };
  }
}
