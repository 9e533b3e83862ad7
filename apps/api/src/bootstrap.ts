import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json, urlencoded } from 'express';
import helmet from 'helmet';
import { AppConfig, loadConfig } from '@pbx/config';
import { bodyParserErrorHandler, undecodablePathHandler } from '@pbx/common';
import { createRootLogger, PinoNestLogger, requestLogging } from '@pbx/logging';
import { AppModule } from './app.module';
import { createOpenApiDocument } from './openapi';

/** Builds the API application (used by main.ts and by the end-to-end tests). */
export async function createApiApp(config: AppConfig = loadConfig()): Promise<INestApplication> {
  const logger = createRootLogger({ app: 'api', level: config.logLevel, format: config.logFormat });
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.disable('x-powered-by');
  // first: every line logged while a request is handled carries its request_id
  app.use(requestLogging(logger));
  // X-Forwarded-For is believed only from these proxies (none by default): it decides the client
  // address that per-address limits count
  app.set('trust proxy', config.http.trustProxy.length > 0 ? [...config.http.trustProxy] : false);
  app.use(
    helmet({
      // the API speaks plain HTTP unless a proxy terminates TLS: upgrading /docs' own scripts to https would break it
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  app.use(undecodablePathHandler());
  app.use(json({ limit: '64kb', strict: true }));
  app.use(urlencoded({ extended: false, limit: '64kb' }));
  app.use(bodyParserErrorHandler());
  app.enableShutdownHooks();
  if (config.http.docsEnabled) mountDocs(app);
  return app;
}

/** Swagger UI at /docs and the document at /docs/openapi.json (DOCS_ENABLED=false leaves both 404). */
function mountDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
}
