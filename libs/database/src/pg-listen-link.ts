import { Client } from 'pg';
import { Backoff, LinkSession, ReconnectingLink } from '@pbx/common';

/**
 * A dedicated PostgreSQL connection LISTENing on one channel, as a ReconnectingLink: emits
 * 'notification' (with its payload) for each NOTIFY, and 'connected' after every (re)connection, when the user
 * should run one catch-up poll for whatever was notified while nobody listened.
 */
export class PgListenLink extends ReconnectingLink {
  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    name = `LISTEN ${channel}`,
  ) {
    super(name, 5_000, new Backoff(500, 30_000));
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  }

  protected async open(signal: AbortSignal): Promise<LinkSession> {
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5_000, keepAlive: true });
    const close = () => void client.end().catch(() => undefined);
    signal.addEventListener('abort', close);
    const closed = new Promise<string>((resolve) => {
      client.on('error', (error) => resolve(error.message));
      client.on('end', () => resolve('connection closed'));
    });
    try {
      await client.connect();
      client.on('notification', (message) => this.emit('notification', message.payload));
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      close();
      throw error;
    }
    return { closed, close };
  }
}
