import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type {
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_STATUS_TEXT, ErrorCode, statusOf } from '@pbx/common';
import { AppModule } from './app.module';
import { createOpenApiDocument } from './openapi';

// The contract a CRM's client generator relies on, beyond what Redocly's rules check
// (npm test lints docs/openapi.json and checks it is up to date).
describe('OpenAPI document', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  const operations: Array<[string, OperationObject]> = [];

  beforeAll(async () => {
    // preview: the module graph without providers, so no database or Asterisk
    app = await NestFactory.create(AppModule, { preview: true, logger: false });
    document = createOpenApiDocument(app);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of ['get', 'post', 'patch', 'put', 'delete'] as const) {
        if (item[method]) operations.push([`${method.toUpperCase()} ${path}`, item[method]]);
      }
    }
  });

  afterAll(() => app.close());

  const schemaOf = (response: ResponseObject | ReferenceObject | undefined) =>
    (response as ResponseObject | undefined)?.content?.['application/json']?.schema as ReferenceObject | undefined;

  it('describes every route with a summary and a unique operationId', () => {
    expect(operations.length).toBeGreaterThanOrEqual(33);
    for (const [name, operation] of operations) {
      expect({ name, summary: operation.summary, operationId: operation.operationId }).toEqual({
        name,
        summary: expect.stringMatching(/\S/),
        operationId: expect.stringMatching(/^[a-z][A-Za-z]+$/),
      });
    }
    expect(new Set(operations.map(([, operation]) => operation.operationId)).size).toBe(operations.length);
  });

  it('gives every success a `{ data }` schema (204: no body; /metrics: text; a recording: MP3, whole or a range)', () => {
    for (const [name, operation] of operations) {
      const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      if (name === 'GET /recordings/{file}') {
        expect(successes.map(([status]) => status)).toEqual(['200', '206']);
        for (const [, response] of successes)
          expect(Object.keys((response as ResponseObject).content ?? {})).toEqual(['audio/mpeg']);
        continue;
      }
      if (name === 'GET /api/pbx/events') {
        // a WebSocket: its success is the upgrade
        expect({ successes: successes.length, upgrade: '101' in operation.responses }).toEqual({
          successes: 0,
          upgrade: true,
        });
        continue;
      }
      expect({ name, successes: successes.length }).toEqual({ name, successes: 1 });
      const [status, response] = successes[0];
      if (status === '204' || name === 'GET /metrics') continue;
      const ref = schemaOf(response)?.$ref ?? '';
      const wrapper = document.components!.schemas![ref.split('/').pop()!] as { required?: string[] };
      expect({ name, required: wrapper?.required }).toEqual({ name, required: expect.arrayContaining(['data']) });
    }
  });

  it('answers every 4xx and 5xx with the ErrorBody schema, the errors of every protected route included', () => {
    for (const [name, operation] of operations) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect({ name, has4xx: errors.some(([status]) => status.startsWith('4')) }).toEqual({ name, has4xx: true });
      for (const [status, response] of errors) {
        if (name === 'GET /health' && status === '503') continue; // the health report itself, naming what is down
        expect({ name, status, ref: schemaOf(response)?.$ref }).toEqual({
          name,
          status,
          ref: '#/components/schemas/ErrorBody',
        });
      }
      if (operation.security?.length === 0) continue;
      for (const status of ['401', '403', '429', '500', '503'])
        expect({ name, status, documented: status in operation.responses }).toEqual({ name, status, documented: true });
    }
  });

  it('asks a bearer token everywhere but /health, /metrics and the recording links', () => {
    expect(document.security).toEqual([{ bearer: [] }]);
    const open = operations.filter(([, operation]) => operation.security?.length === 0).map(([name]) => name);
    expect(open.sort()).toEqual(['GET /health', 'GET /metrics', 'GET /recordings/{file}']);
    expect(document.paths['/recordings/{file}'].head?.security).toEqual([]);
    expect(document.servers?.length).toBeGreaterThan(0);
  });

  it('documents every error code and status the error filter can answer', () => {
    const codes = (document.components!.schemas!.ErrorCode as { enum: string[] }).enum;
    expect([...codes].sort()).toEqual(Object.values(ErrorCode).sort());
    for (const code of Object.values(ErrorCode))
      expect(Object.keys(ERROR_STATUS_TEXT)).toContain(String(statusOf(code)));
  });
});
