import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { dataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.databaseUrl, [], config.databasePool),
        autoLoadEntities: true,
        // keep retrying at boot instead of crashing while PostgreSQL restarts
        retryAttempts: 30,
        retryDelay: 1_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
