import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import AmiClient, { AmiMessage } from 'asterisk-ami-client';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { LinkSession, ReconnectingLink, withDeadline } from '@pbx/common';

const ACTION_TIMEOUT_MS = 5_000;
/** the keep-alive's own, shorter: a silent Asterisk is found within KEEPALIVE_EVERY_MS + this */
const PING_TIMEOUT_MS = 3_000;
/** connect, login and the Events action, or give up and retry */
const OPEN_TIMEOUT_MS = 5_000;
/** a Ping every this often; no Pong within PING_TIMEOUT_MS drops the connection */
const KEEPALIVE_EVERY_MS = 3_000;
/** Injection token: the AMI EventMask of this process ('off', 'system', 'on', ...). */
export const AMI_EVENT_MASK = Symbol('AMI_EVENT_MASK');

/**
 * The one AMI session of a process (a ReconnectingLink): login and event mask under a
 * deadline, a keep-alive Ping whose missing answer counts as a disconnect (an Asterisk that
 * accepts TCP but stopped answering is found within seconds), and replies and list events
 * matched to actions by ActionID. Re-emits every AMI event as 'event'; which events Asterisk
 * sends is set by AMI_EVENT_MASK (list actions' replies come whatever the mask).
 */
@Injectable()
export class AmiConnection extends ReconnectingLink implements OnModuleInit, OnModuleDestroy {
  private client?: AmiClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AMI_EVENT_MASK) private readonly eventMask: string,
  ) {
    super('AMI', OPEN_TIMEOUT_MS);
  }

  onModuleInit(): void {
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  async action(message: AmiMessage): Promise<AmiMessage> {
    const client = this.requireClient();
    const reply = await withDeadline(
      client.action({ ...message, ActionID: randomUUID() }, true),
      ACTION_TIMEOUT_MS,
      `AMI ${message.Action}`,
    );
    if (reply.Response === 'Error') throw new Error(`AMI ${message.Action} failed: ${reply.Message ?? 'error'}`);
    return reply;
  }

  /** Runs a list action (EventList: start) and collects its events until `completeEvent`. */
  async list(message: AmiMessage, completeEvent: string): Promise<AmiMessage[]> {
    const client = this.requireClient();
    const actionId = randomUUID();
    const events: AmiMessage[] = [];
    let onEvent: (event: AmiMessage) => void = () => undefined;
    const done = new Promise<AmiMessage[]>((resolve) => {
      onEvent = (event: AmiMessage) => {
        if (event.ActionID !== actionId) return;
        if (event.Event === completeEvent) {
          client.off('event', onEvent);
          resolve(events);
        } else {
          events.push(event);
        }
      };
      client.on('event', onEvent);
    });
    try {
      const reply = await withDeadline(
        client.action({ ...message, ActionID: actionId }, true),
        ACTION_TIMEOUT_MS,
        `AMI ${message.Action}`,
      );
      // "no objects found" style errors are an empty list, not a failure
      if (reply.Response === 'Error') return [];
      return await withDeadline(done, ACTION_TIMEOUT_MS, `AMI ${message.Action} list`);
    } finally {
      client.off('event', onEvent); // also when the action failed or timed out
    }
  }

  private requireClient(): AmiClient {
    if (!this.client || !this.connected) throw new Error('AMI is not connected');
    return this.client;
  }

  protected async open(signal: AbortSignal): Promise<LinkSession> {
    const client = new AmiClient({ reconnect: false, keepAlive: false, emitResponsesById: true });
    const close = () => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      try {
        client.disconnect();
      } catch {
        /* not connected */
      }
    };
    signal.addEventListener('abort', close);
    client.on('internalError', (error: unknown) => this.logger.warn(`AMI internal error: ${String(error)}`));
    try {
      const { host, port, username, password } = this.config.ami;
      await client.connect(username, password, { host, port });
      const masked = await client.action({ Action: 'Events', EventMask: this.eventMask, ActionID: randomUUID() }, true);
      if (masked.Response === 'Error')
        throw new Error(`AMI Events ${this.eventMask} refused: ${masked.Message ?? 'error'}`);
    } catch (error) {
      close();
      throw error;
    }
    this.client = client;
    client.on('event', (event: AmiMessage) => this.emit('event', event));
    let keepAlive: NodeJS.Timeout | undefined;
    const closed = new Promise<string>((resolve) => {
      client.once('disconnect', () => resolve('disconnected'));
      keepAlive = setInterval(() => {
        withDeadline(
          client.action({ Action: 'Ping', ActionID: randomUUID() }, true),
          PING_TIMEOUT_MS,
          'AMI Ping',
        ).catch(() => resolve('keep-alive Ping unanswered'));
      }, KEEPALIVE_EVERY_MS);
    });
    return {
      closed,
      close: () => {
        clearInterval(keepAlive);
        if (this.client === client) this.client = undefined;
        close();
      },
    };
  }
}
