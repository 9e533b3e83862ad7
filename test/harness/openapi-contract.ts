/**
 * Checks real answers against the API's OpenAPI document: the status must be documented for
 * the operation, and the body must match its schema exactly (every required field there, no
 * field the document does not name, types, formats, enums, nullability). Covers the subset of
 * OpenAPI 3.0 schemas the document uses; anything else is reported, not ignored.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
}

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const KNOWN = new Set([
  '$ref',
  'type',
  'format',
  'nullable',
  'enum',
  'oneOf',
  'allOf',
  'properties',
  'required',
  'additionalProperties',
  'items',
]);
const ANNOTATIONS = new Set([
  'description',
  'example',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'maxProperties',
  'writeOnly',
]);

export class OpenApiContract {
  /** `${operationId} ${status}` of every answer checked */
  readonly seen = new Set<string>();

  constructor(readonly document: OpenApiDocument) {}

  /** What is wrong with an answer of `method url` (path and query as sent); [] when it matches. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: unknown): string[] {
    const operation = this.operation(method.toLowerCase(), url.split('?')[0]);
    if (!operation) return [`${method} ${url}: no such operation in the document`];
    const documented = operation.responses[String(status)];
    if (!documented) return [`${operation.operationId}: status ${status} is not documented`];
    this.seen.add(`${operation.operationId} ${status}`);
    const media = Object.keys(documented.content ?? {});
    if (media.length === 0)
      return body === undefined ||
        body === '' ||
        (typeof body === 'object' && body !== null && Object.keys(body).length === 0)
        ? []
        : [`${operation.operationId} ${status}: a body where none is documented`];
    const type = media.find((m) => contentType?.startsWith(m));
    if (!type)
      return [`${operation.operationId} ${status}: content type ${contentType} is not one of ${media.join(', ')}`];
    return this.problems(documented.content![type].schema, body, `${operation.operationId} ${status} $`);
  }

  /** The operations (with their success status) no answer has been checked for. */
  uncheckedSuccesses(): string[] {
    const all = Object.values(this.document.paths).flatMap((item) => Object.values(item));
    return all
      .map(
        (operation) =>
          // a WebSocket's success is its upgrade (101)
          `${operation.operationId} ${Object.keys(operation.responses).find((status) => status.startsWith('2')) ?? Object.keys(operation.responses).find((status) => status.startsWith('1'))}`,
      )
      .filter((key) => !this.seen.has(key));
  }

  private operation(method: string, path: string): Operation | undefined {
    const matches = Object.entries(this.document.paths)
      .filter(
        ([template, item]) => item[method] && new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
      )
      // a literal segment beats a parameter: /calls/click-to-call is not /calls/{call_uuid}
      .sort(([a], [b]) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    return matches[0]?.[1][method];
  }

  private problems(schema: Schema, value: unknown, at: string): string[] {
    const unknownKeywords = Object.keys(schema).filter((key) => !KNOWN.has(key) && !ANNOTATIONS.has(key));
    if (unknownKeywords.length > 0) return [`${at}: the checker does not know ${unknownKeywords.join(', ')}`];
    if (schema.$ref) return this.problems(this.document.components.schemas[schema.$ref.split('/').pop()!], value, at);
    if (schema.oneOf) {
      const matching = schema.oneOf.filter((branch) => this.problems(branch, value, at).length === 0).length;
      return matching === 1 ? [] : [`${at}: ${JSON.stringify(value)} matches ${matching} branches of oneOf`];
    }
    if (value === null) return schema.nullable ? [] : [`${at}: null, not nullable`];
    // Nest's way to put `nullable` or a description beside a $ref: the branches say the rest
    if (schema.allOf) return schema.allOf.flatMap((branch) => this.problems(branch, value, at));
    if (schema.enum && !schema.enum.includes(value))
      return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
    const wrongType = (expected: string) => [`${at}: ${JSON.stringify(value)} is not ${expected}`];
    switch (schema.type) {
      case 'string':
        // a file (an MP3): the bytes as they came
        if (schema.format === 'binary') return Buffer.isBuffer(value) ? [] : wrongType('bytes');
        if (typeof value !== 'string') return wrongType('a string');
        if (schema.format === 'date-time' && !DATE_TIME.test(value)) return wrongType('a date-time');
        if (schema.format === 'uuid' && !UUID.test(value)) return wrongType('a uuid');
        return [];
      case 'integer':
        return Number.isInteger(value) ? [] : wrongType('an integer');
      case 'number':
        return typeof value === 'number' ? [] : wrongType('a number');
      case 'boolean':
        return typeof value === 'boolean' ? [] : wrongType('a boolean');
      case 'array':
        if (!Array.isArray(value)) return wrongType('an array');
        return value.flatMap((item, index) => this.problems(schema.items ?? {}, item, `${at}[${index}]`));
      case 'object':
        return this.objectProblems(schema, value, at);
      case undefined:
        return [];
      default:
        return [`${at}: the checker does not know type ${schema.type}`];
    }
  }

  private objectProblems(schema: Schema, value: unknown, at: string): string[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [`${at}: ${JSON.stringify(value)} is not an object`];
    const record = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    const missing = (schema.required ?? [])
      .filter((key) => !(key in record))
      .map((key) => `${at}.${key}: required, missing`);
    const fields = Object.entries(record).flatMap(([key, item]) => {
      if (key in properties) return this.problems(properties[key], item, `${at}.${key}`);
      if (schema.additionalProperties === true) return [];
      if (schema.additionalProperties) return this.problems(schema.additionalProperties, item, `${at}.${key}`);
      return [`${at}.${key}: not in the document`];
    });
    return [...missing, ...fields];
  }
}
