import * as ari from 'ari-client';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

interface RawEvent {
  type: string;
  timestamp?: string;
  channel?: { id: string; state: string };
  args?: string[];
}

/**
 * The baseline: a bare script on the same Asterisk that does only what our control plane asks
 * of Asterisk (create + dial the legs, bridge on answer, hang up the other side), with no
 * database, no HTTP API and no webhooks.
 */
export class RawAri extends EventEmitter {
  /** ms from an event's Asterisk timestamp to its arrival here */
  readonly eventDelays: number[] = [];
  private socket?: WebSocket;
  private readonly flows = new Map<string, Flow>();

  private constructor(
    private readonly client: ari.Client,
    private readonly app: string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  static async connect(ariPort: number, password: string, app = 'bench-raw'): Promise<RawAri> {
    const client = await ari.connect(`http://127.0.0.1:${ariPort}`, 'pbx', password);
    const raw = new RawAri(client, app);
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(
        `ws://127.0.0.1:${ariPort}/ari/events?${new URLSearchParams({ app, api_key: `pbx:${password}` })}`,
      );
      raw.socket = socket;
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.on('message', (data) => raw.onEvent(JSON.parse(data.toString()) as RawEvent));
    });
    return raw;
  }

  close(): void {
    this.socket?.close();
  }

  /** What click-to-call asks of Asterisk for the A-leg: create it in the app, then dial it. */
  async originate(endpoint: string, timeout = 30, channelId: string = randomUUID()): Promise<string> {
    await this.client.channels.create({ endpoint, app: this.app, channelId, formats: 'ulaw,alaw' });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.channels.dial({ channelId, timeout });
        return channelId;
      } catch (error) {
        if (attempt >= 20 || !/not in Stasis/i.test(String((error as Error).message))) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5 * (attempt + 1), 50)));
      }
    }
  }

  /** The whole two-leg flow; resolves when both legs are gone. */
  twoLegCall(agentEndpoint: string, customerEndpoint: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const flow: Flow = { a: randomUUID(), b: null, customerEndpoint, ended: new Set(), resolve };
      this.flows.set(flow.a, flow);
      this.originate(agentEndpoint, 30, flow.a).catch((error) => {
        this.flows.delete(flow.a);
        reject(error);
      });
    });
  }

  private onEvent(event: RawEvent): void {
    if (event.timestamp) this.eventDelays.push(Date.now() - Date.parse(event.timestamp));
    const id = event.channel?.id;
    if (!id) return;
    const flow = this.flows.get(id);
    if (!flow) return;
    if (event.type === 'ChannelStateChange' && event.channel?.state === 'Up') {
      if (id === flow.a && !flow.b) {
        const b = randomUUID();
        flow.b = b;
        this.flows.set(b, flow);
        void this.client.channels
          .create({ endpoint: flow.customerEndpoint, app: this.app, channelId: b, originator: flow.a })
          .then(() => this.dialWhenReady(b))
          .catch(() => this.client.channels.hangup({ channelId: flow.a }).catch(() => undefined));
      } else if (id === flow.b) {
        void this.client.bridges
          .create({ type: 'mixing', bridgeId: flow.a })
          .then((bridge) => bridge.addChannel({ channel: [flow.a, flow.b as string] }))
          .catch(() => undefined);
      }
    }
    if (event.type === 'ChannelDestroyed') {
      flow.ended.add(id);
      const other = id === flow.a ? flow.b : flow.a;
      if (other && !flow.ended.has(other))
        void this.client.channels.hangup({ channelId: other }).catch(() => undefined);
      const legs = [flow.a, flow.b].filter((x): x is string => !!x);
      if (legs.every((leg) => flow.ended.has(leg))) {
        for (const leg of legs) this.flows.delete(leg);
        void this.client.bridges.destroy({ bridgeId: flow.a }).catch(() => undefined);
        flow.resolve();
      }
    }
  }

  private async dialWhenReady(channelId: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.channels.dial({ channelId, timeout: 60 });
        return;
      } catch (error) {
        if (attempt >= 20 || !/not in Stasis/i.test(String((error as Error).message))) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5 * (attempt + 1), 50)));
      }
    }
  }
}

interface Flow {
  a: string;
  b: string | null;
  customerEndpoint: string;
  ended: Set<string>;
  resolve: () => void;
}
