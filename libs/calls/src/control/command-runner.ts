import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { PgListenLink } from '@pbx/database';
import { CallFlow } from '../flow/call-flow';
import { CallCommand, COMMANDS_CHANNEL, CommandOutcome, OUTCOMES_CHANNEL, refused } from './command';
import { LiveControl } from './live-control';

/** beside NOTIFY: what a lost notification left pending is still taken before its deadline */
const SWEEP_MS = 1_000;

interface ClaimedRow {
  id: string;
  call_uuid: string;
  kind: CallCommand['kind'];
  args: Record<string, unknown>;
}

/**
 * Worker side of the command path: takes each command the API wrote (NOTIFY, and a sweep every
 * second for one whose notification was lost), claims it before its deadline so a command the
 * API gave up on never runs, carries it out in the call's queue (the call's one writer), and
 * hands the outcome back (row + NOTIFY).
 */
@Injectable()
export class CommandRunner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('call-commands');
  private readonly listener: PgListenLink;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly flow: CallFlow,
    private readonly control: LiveControl,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.listener = new PgListenLink(config.databaseUrl, COMMANDS_CHANNEL, 'call commands LISTEN');
  }

  onModuleInit(): void {
    this.listener.on('notification', (id: string) => void this.take(`id = ${Number(id)}`));
    this.listener.on('connected', () => void this.take('true'));
    this.listener.start();
    this.sweeper = setInterval(() => void this.take('true'), SWEEP_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.listener.stop();
  }

  /** Claims the pending commands matching `where` (still before their deadline) and runs each. */
  private async take(where: string): Promise<void> {
    let claimed: ClaimedRow[];
    try {
      [claimed] = await this.dataSource.query<[ClaimedRow[], number]>(
        `UPDATE call_commands SET status = 'running'
          WHERE status = 'pending' AND deadline > now() AND ${where}
          RETURNING id::text AS id, call_uuid, kind, args`,
      );
    } catch (error) {
      this.logger.warn(`cannot take commands: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const row of claimed) {
      const command = { kind: row.kind, ...row.args } as CallCommand;
      void this.flow.queue.run(row.call_uuid, () => this.runOne(row.id, row.call_uuid, command), {
        command: row.kind,
      });
    }
  }

  private async runOne(id: string, callUuid: string, command: CallCommand): Promise<void> {
    let outcome: CommandOutcome;
    try {
      outcome = await this.control.run(callUuid, command);
    } catch (error) {
      this.logger.error(
        `call ${callUuid}: ${command.kind} failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
      outcome = refused(ErrorCode.ServiceUnavailable, `the ${command.kind} could not be carried out; try again`);
    }
    this.logger.log(
      `call ${callUuid}: ${command.kind} command ${id} ${outcome.ok ? 'done' : `refused (${outcome.code}: ${outcome.message})`}`,
    );
    await this.dataSource.query(
      `WITH c AS (
         UPDATE call_commands SET status = $2, outcome = $3, finished_at = now() WHERE id = $1 RETURNING id)
       SELECT pg_notify('${OUTCOMES_CHANNEL}', id::text) FROM c`,
      [id, outcome.ok ? 'done' : 'failed', JSON.stringify(outcome)],
    );
  }
}
