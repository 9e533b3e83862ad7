import { BenchEnv } from './env';
import { WebhookReceiver } from '../../test/harness/webhook-receiver';

/** The webhook events the two-leg sections subscribe the CRM to. */
export const TWO_LEG_EVENTS = ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'];

export const agentOf = (agents: string[], i: number) => agents[i % agents.length];

/** What every agent's desk phone does with the next calls (customers follow the default behavior). */
export function agentsDo(
  env: BenchEnv,
  agents: string[],
  behavior: Parameters<BenchEnv['peer']['setBehavior']>[1],
): void {
  for (const agent of agents) env.peer.setBehavior(`phone-${agent}`, behavior);
}

/** The two-leg flow's phones: the agent answers and stays; the customer answers and hangs up 200 ms later. */
export function twoLegPhones(env: BenchEnv, agents: string[]): void {
  agentsDo(env, agents, { kind: 'answer' });
  env.peer.setDefaultBehavior({ kind: 'answer', hangupAfterMs: 200 });
  env.peer.clearCalls();
}

/** One webhook request as the CRM got it: the event, and its latency from the Asterisk event. */
export interface CrmArrival {
  event: { id: string; type: string; call_uuid: string; occurred_at: string };
  /** receiver time − the event's `occurred_at` (the Asterisk event's time), ms */
  delay: number;
}

/**
 * The CRM of the two-leg sections: a receiver with a webhook subscription to TWO_LEG_EVENTS.
 * Every request's delay is "Asterisk event → CRM" (arrival − `occurred_at`); `done` resolves a
 * call's waiter once its `pbx.cdr.created` arrived.
 */
export class Crm {
  readonly delaysByCall = new Map<string, number[]>();
  readonly done = new Map<string, () => void>();
  readonly arrivals: CrmArrival[] = [];

  private constructor(
    readonly receiver: WebhookReceiver,
    private readonly env: BenchEnv,
    readonly path: string,
    private readonly subscriptionId: number,
  ) {
    receiver.respond(path, (request) => {
      const event = JSON.parse(request.body);
      const delay = request.at - Date.parse(event.occurred_at);
      this.delaysByCall.set(event.call_uuid, [...(this.delaysByCall.get(event.call_uuid) ?? []), delay]);
      this.arrivals.push({ event, delay });
      if (event.type === 'pbx.cdr.created') this.done.get(event.call_uuid)?.();
      return { status: 200 };
    });
  }

  static async start(env: BenchEnv, path: string): Promise<Crm> {
    const receiver = await WebhookReceiver.start();
    const created = await env.request('POST', '/api/pbx/webhooks', { url: receiver.url(path), events: TWO_LEG_EVENTS });
    if (created.status !== 201) throw new Error(`webhook subscription: ${JSON.stringify(created.body)}`);
    return new Crm(receiver, env, path, created.body.data.id);
  }

  async stop(): Promise<void> {
    await this.env.request('DELETE', `/api/pbx/webhooks/${this.subscriptionId}`);
    await this.receiver.close();
  }

  /**
   * One click-to-call through the whole flow, to `${prefix}` + i: its uuid goes into `into`; it
   * resolves once its pbx.cdr.created reached the CRM (or after 60 s, or when refused).
   */
  fullCall(agents: string[], i: number, prefix: string, into: string[]): Promise<void> {
    const env = this.env;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      const uuidPromise = fetch(`${env.api.url}/api/pbx/calls/click-to-call`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${env.token()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          from_extension: agentOf(agents, i),
          to_phone: `${prefix}${String(i).padStart(6, '0')}`,
          trunk_id: env.trunkId,
        }),
      }).then(async (response) => (await response.json()) as { data?: { call_uuid: string } });
      void uuidPromise.then((body) => {
        if (!body.data) return resolve();
        into.push(body.data.call_uuid);
        this.done.set(body.data.call_uuid, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }
}
