import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, urlencoded } from 'express';
import { AppConfig, loadConfig } from '@pbx/config';
import { bodyParserErrorHandler, undecodablePathHandler } from '@pbx/common';
import { AppModule } from './app.module';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** Builds the API application (used by main.ts and by the end-to-end tests). */
export async function createApiApp(config: AppConfig = loadConfig()): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger: LEVELS[config.logLevel] });
  app.disable('x-powered-by');
  app.use(undecodablePathHandler());
  app.use(json({ limit: '64kb', strict: true }));
  app.use(urlencoded({ extended: false, limit: '64kb' }));
  app.use(bodyParserErrorHandler());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('PBX control plane')
      .setDescription('Admin and click-to-call API over Asterisk. Success bodies are { data }, errors { error: { code, message, details } }.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
