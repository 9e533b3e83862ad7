import * as ari from 'ari-client';
import { TestContext } from './test-context';
import { waitUntil } from './sip-peer';

export interface EnteredChannel {
  channelId: string;
  /** `PJSIP/<endpoint>-<seq>` */
  name: string;
  context: string;
  exten: string;
  callerNumber: string;
  args: string[];
  /** Date.now() when StasisStart arrived */
  at: number;
  /** filled in by ChannelDestroyed */
  cause?: number;
}

/**
 * Stands in for the worker: registers the PBX's Stasis app (ARI_APP) over ARI and records
 * every channel that enters it, without adopting any (so the dialplan's 10 s timeout runs).
 * Never run it beside a test worker: one app name has one websocket.
 */
export class PbxStasisListener {
  readonly entered: EnteredChannel[] = [];

  private constructor(
    readonly client: ari.Client,
    private readonly app: string,
  ) {}

  static async connect(context: TestContext): Promise<PbxStasisListener> {
    const client = await ari.connect(`http://127.0.0.1:${context.pbx.ariPort}`, 'pbx', context.pbx.ariPassword);
    const listener = new PbxStasisListener(client, context.pbx.ariApp);
    client.on('StasisStart', (event, channel) => {
      listener.entered.push({
        channelId: channel.id,
        name: channel.name,
        context: channel.dialplan.context,
        exten: channel.dialplan.exten,
        callerNumber: channel.caller.number,
        args: ([] as string[]).concat(event.args ?? []),
        at: Date.now(),
      });
    });
    client.on('ChannelDestroyed', (event, channel) => {
      const entry = listener.entered.find((e) => e.channelId === channel.id);
      if (entry) entry.cause = event.cause;
    });
    await client.start(context.pbx.ariApp);
    return listener;
  }

  async waitFor(predicate: (entry: EnteredChannel) => boolean, timeoutMs = 10_000): Promise<EnteredChannel> {
    let found: EnteredChannel | undefined;
    await waitUntil(
      () => (found = this.entered.find(predicate)) !== undefined,
      timeoutMs,
      `StasisStart in ${this.app}`,
    );
    return found as EnteredChannel;
  }

  /** The PBX's channels right now (any app or none), by name. */
  async channelNames(): Promise<string[]> {
    return (await this.client.channels.list()).map((channel) => channel.name);
  }

  async close(): Promise<void> {
    this.client.stop();
    // let Asterisk drop the app before a worker registers the same name
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
