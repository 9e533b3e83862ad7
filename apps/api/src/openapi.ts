import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

const TAGS: Array<[name: string, description: string]> = [
  ['extensions', 'Desk and soft phones (scope `admin`). Changes reach Asterisk at once through PJSIP realtime.'],
  ['trunks', 'SIP carriers (scope `admin`). Passwords are write-only.'],
  ['caller-ids', 'Numbers the PBX may present to customers (scope `admin`; reading also `calls`).'],
  ['routes', 'Outbound routes for calls placed without a trunk (scope `admin`).'],
  ['ring-groups', 'Extensions rung together or in turn for inbound calls (scope `admin`).'],
  ['inbound-routes', 'Where calls from carriers go, by DID and trunk (scope `admin`).'],
  ['dial-policy', 'Which numbers calls may go out to through a trunk (scope `admin`).'],
  ['tokens', 'API tokens and their limits (scope `admin`). The plaintext is returned once.'],
  ['calls', 'Click-to-call and the call timeline (scope `calls`).'],
  ['cdrs', 'Call history, newest first, cursor-paged (scope `calls`).'],
  ['webhooks', 'Signed webhook subscriptions and their deliveries (scope `admin`).'],
  ['events', 'The real-time event stream, a WebSocket (scope `calls`).'],
  ['recordings', 'Public links of call recordings (no token: the unguessable link is the secret).'],
  ['health', 'Liveness of the database, AMI and ARI (no token).'],
  ['metrics', 'Prometheus metrics (no token, or METRICS_TOKEN).'],
];

/**
 * The OpenAPI document of the API: served at /docs/openapi.json and written to
 * docs/openapi.json by scripts/openapi.ts (which lints it). Every route needs a bearer token
 * unless it says `security: []`.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('PBX control plane')
    .setDescription(
      'Admin and click-to-call API over Asterisk. Success bodies are `{ data }`; errors are `{ error: { code, message, details } }` ' +
        'with a stable `code` (schema ErrorBody). Every answer carries `RateLimit-*` headers.',
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'the API that serves this document')
    .addServer('http://{host}:{port}', 'a PBX control plane (HOST and PORT of its settings)', {
      host: { default: '127.0.0.1' },
      port: { default: '3000' },
    })
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
      description: 'an API token (`pbx_…`, from POST /api/pbx/tokens) or PBX_ADMIN_TOKEN',
    })
    .addSecurityRequirements('bearer');
  for (const [name, description] of TAGS) builder.addTag(name, description);
  return unwrapLoneAllOf(SwaggerModule.createDocument(app, builder.build()));
}

/**
 * Nest refers to a named enum (`enumName`) as `allOf: [{ $ref }]` even with nothing beside it;
 * a bare `$ref` says the same and reads better in generated clients (and in Redocly's lint).
 */
function unwrapLoneAllOf<T>(node: T): T {
  if (Array.isArray(node)) return node.map(unwrapLoneAllOf) as T;
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  const allOf = (node as { allOf?: unknown[] }).allOf;
  if (entries.length === 1 && Array.isArray(allOf) && allOf.length === 1) return unwrapLoneAllOf(allOf[0] as T);
  return Object.fromEntries(entries.map(([key, value]) => [key, unwrapLoneAllOf(value)])) as T;
}
