import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { PgListenLink } from '@pbx/database';
import { CallCommand, COMMAND_DEADLINE_MS, COMMANDS_CHANNEL, CommandOutcome, OUTCOMES_CHANNEL } from './command';

/** A command already running when the deadline passed gets this much longer to finish. */
const RUNNING_GRACE_MS = 3_000;
/** beside NOTIFY, in case one is lost (a reconnecting listener) */
const POLL_MS = 250;

interface CommandRow {
  status: 'pending' | 'running' | 'done' | 'failed' | 'expired';
  outcome: CommandOutcome | null;
}

/**
 * API side of the command path (SPEC section 3, "One writer per call"): the API never speaks to
 * Asterisk about a live call. A control request is a `call_commands` row and a NOTIFY; the
 * worker runs it in the call's queue and NOTIFYs back with its outcome. The API waits up to 5 s;
 * a command nobody took by then is expired (it never runs) and the request is a 503.
 */
@Injectable()
export class CallCommands implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('call-commands');
  private readonly listener: PgListenLink;
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.listener = new PgListenLink(config.databaseUrl, OUTCOMES_CHANNEL, 'command outcomes LISTEN');
  }

  onModuleInit(): void {
    this.listener.on('notification', (id: string) => this.waiting.get(id)?.());
    this.listener.start();
  }

  onModuleDestroy(): void {
    this.listener.stop();
  }

  /** Writes the command, wakes the worker and waits for its outcome. */
  async run(callUuid: string, command: CallCommand, tokenId: number | null): Promise<CommandOutcome> {
    const { kind, ...args } = command;
    const [{ id }] = await this.dataSource.query<{ id: string }[]>(
      `WITH c AS (
         INSERT INTO call_commands (call_uuid, kind, args, token_id, deadline)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         RETURNING id)
       SELECT id::text AS id, pg_notify('${COMMANDS_CHANNEL}', id::text) FROM c`,
      [callUuid, kind, JSON.stringify(args), tokenId, COMMAND_DEADLINE_MS / 1000],
    );
    this.logger.log(`call ${callUuid}: ${kind} command ${id} written`);
    const row =
      (await this.finished(id, COMMAND_DEADLINE_MS)) ??
      (await this.expire(id)) ??
      (await this.finished(id, RUNNING_GRACE_MS));
    if (row?.outcome) return row.outcome;
    if (row?.status === 'expired')
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        'the worker did not take the command within 5 s (is it running?); nothing was done',
      );
    throw new DomainError(ErrorCode.ServiceUnavailable, 'the worker did not finish the command in time');
  }

  /** The row once it has an outcome, waiting up to `ms` (null: still none). */
  private async finished(id: string, ms: number): Promise<CommandRow | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const row = await this.read(id);
      if (row?.outcome) return row;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, POLL_MS));
        this.waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      }).finally(() => this.waiting.delete(id));
    }
  }

  /** A command still pending at its deadline never runs; the expired row (null: the worker had taken it). */
  private async expire(id: string): Promise<CommandRow | null> {
    const [rows] = await this.dataSource.query<[CommandRow[], number]>(
      `UPDATE call_commands SET status = 'expired', finished_at = now() WHERE id = $1 AND status = 'pending' RETURNING status, outcome`,
      [id],
    );
    return rows[0] ?? null;
  }

  private async read(id: string): Promise<CommandRow | null> {
    const rows = await this.dataSource.query<CommandRow[]>(`SELECT status, outcome FROM call_commands WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }
}
