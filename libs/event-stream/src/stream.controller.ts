import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@pbx/auth';
import { ApiErrors, DomainError } from '@pbx/common';

/**
 * The stream's entry in the API document. The stream itself is the WebSocket upgrade
 * (StreamUpgrade, before any route); a plain GET that reaches this route asked for no upgrade.
 */
@ApiTags('events')
@Controller('api/pbx/events')
export class StreamController {
  @Get()
  @RequireScopes('calls')
  @ApiOperation({
    operationId: 'streamEvents',
    summary: 'Real-time event stream (WebSocket)',
    description:
      'Upgrade to a WebSocket (`Upgrade: websocket`). Each text frame is one stored event, as JSON: the same object a native ' +
      'webhook carries (`id`, `type`, `occurred_at`, `call_uuid`, `sequence`, …; `pbx.extension.state_changed` has no call), ' +
      'in stored order, each once. A `calls` token limited to extensions or trunks sees only their calls. ' +
      'Resume after a drop with `?since=<id of the last event received>` (24 h back). The server pings every ' +
      '`STREAM_PING_INTERVAL_MS` (15 s) and drops a client silent for two intervals; a client that does not read ' +
      'fast enough (more than `STREAM_BUFFER_BYTES`, 1 MiB, waiting) is closed with code 1013: resume with `since`. ' +
      'Auth, scope, `since` and the per-token cap (`STREAM_MAX_PER_TOKEN`, 20 open streams) are checked before the upgrade.',
  })
  @ApiQuery({ name: 'since', required: false, description: 'resume after this event id (an event of the last 24 h)' })
  @ApiQuery({
    name: 'access_token',
    required: false,
    description: 'the token, for clients that cannot set `Authorization` on a WebSocket (browsers); never logged',
  })
  @ApiResponse({ status: 101, description: 'Switching Protocols: the stream is open' })
  @ApiErrors(
    401,
    403,
    [
      410,
      '`since` names no event stored within the last 24 h (`since_expired`): read the calls, then stream from now.',
    ],
    [
      422,
      'No `Upgrade: websocket` (`details` names `upgrade`), or `since` is not an event id (`details` names `since`).',
    ],
    [
      429,
      'The address spent its budget for requests without a known token, or the token already has STREAM_MAX_PER_TOKEN open streams (`rate_limited`).',
    ],
    500,
    503,
  )
  events(): never {
    throw DomainError.invalid('upgrade', 'this route speaks WebSocket: send Upgrade: websocket');
  }
}
