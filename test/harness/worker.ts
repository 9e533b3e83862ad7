import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { testContext, testEnv } from './test-context';

/** Starts the real worker (the same module as apps/worker) against the test database and Asterisk. */
export async function startTestWorker(extraEnv: Record<string, string> = {}): Promise<INestApplicationContext> {
  const env = testEnv(testContext(), extraEnv);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const app = await NestFactory.createApplicationContext(WorkerModule, { logger: env.LOG_LEVEL === 'debug' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'] });
    await app.init();
    return app;
  } finally {
    process.env = saved;
  }
}
