import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@pbx/config';
import { createRootLogger, PinoNestLogger } from '@pbx/logging';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new PinoNestLogger(
    createRootLogger({ app: 'worker', level: config.logLevel, format: config.logFormat }),
  );
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger });
  app.enableShutdownHooks();
  new Logger('worker').log(`started (Stasis app ${config.ari.app})`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
