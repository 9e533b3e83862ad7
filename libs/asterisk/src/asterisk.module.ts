import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { AmiConnection } from './ami.connection';
import { ARI_APP_NAME, AriConnection } from './ari.connection';
import { RegistrationsService } from './registrations.service';

@Module({})
export class AsteriskModule {
  /** `appName` is the Stasis application this process's ARI websocket subscribes to. */
  static forRoot(appName: (defaultApp: string) => string): DynamicModule {
    return {
      module: AsteriskModule,
      global: true,
      providers: [
        AmiConnection,
        AriConnection,
        RegistrationsService,
        { provide: ARI_APP_NAME, inject: [APP_CONFIG], useFactory: (config: AppConfig) => appName(config.ari.app) },
      ],
      exports: [AmiConnection, AriConnection, RegistrationsService],
    };
  }
}
