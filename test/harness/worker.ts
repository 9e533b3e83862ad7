import { ConsoleLogger, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { testContext, testEnv } from './test-context';

/**
 * Nest's console logger that also keeps every error line, so that a test can fail on one: a
 * bug the worker survives (a request Asterisk refuses, a repeated ARI event acted on twice) is
 * logged as an error and nothing else shows it. Nest's Logger is one static per process, so the
 * in-process API's errors land here too.
 */
export class WorkerLog extends ConsoleLogger {
  private readonly lines: Array<{ at: number; line: string }> = [];

  override error(message: unknown, ...optionalParams: unknown[]): void {
    this.keep('ERROR', message, optionalParams);
    super.error(message, ...(optionalParams as [string?]));
  }

  override fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.keep('FATAL', message, optionalParams);
    super.fatal(message, ...(optionalParams as [string?]));
  }

  /** Error and fatal lines logged at or after `since` (a Date.now()). */
  errorsSince(since: number): string[] {
    return this.lines.filter((l) => l.at >= since).map((l) => l.line);
  }

  private keep(level: string, message: unknown, params: unknown[]): void {
    const context = params.filter((p) => typeof p === 'string').pop() ?? '-';
    this.lines.push({
      at: Date.now(),
      line: `${level} [${context}] ${message instanceof Error ? message.stack : String(message)}`,
    });
  }
}

/** Starts the real worker (the same module as apps/worker) against the test database and Asterisk. */
export async function startTestWorker(
  extraEnv: Record<string, string> = {},
  log?: WorkerLog,
): Promise<INestApplicationContext> {
  const env = testEnv(testContext(), extraEnv);
  const levels: LogLevel[] = env.LOG_LEVEL === 'debug' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    log?.setLogLevels(levels);
    const app = await NestFactory.createApplicationContext(WorkerModule, { logger: log ?? levels });
    await app.init();
    return app;
  } finally {
    process.env = saved;
  }
}
