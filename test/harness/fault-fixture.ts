import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { Client } from 'pg';
import { addAgents, ApiClient, HttpResult } from './api-client';
import { phonePassword } from './phone-password';
import { AppProcess } from './processes';
import { SipPeer, waitUntil } from './sip-peer';
import { testContext, TestContext } from './test-context';
import { WebhookReceiver } from './webhook-receiver';

export type { HttpResult } from './api-client';

/** The built API and worker as real processes, the SIP peer, a CRM receiver and helpers. */
export class FaultFixture {
  readonly context: TestContext;
  readonly adminToken = `pbx_fault_admin_${randomBytes(12).toString('hex')}`;
  api!: AppProcess;
  client!: ApiClient;
  worker!: AppProcess;
  peer!: SipPeer;
  receiver!: WebhookReceiver;
  db!: Client;
  trunkId!: number;
  private tokens: string[] = [];

  /** `context`: another environment than the global setup's (a test's own database and PBX) */
  constructor(
    private readonly env: Record<string, string> = {},
    context?: TestContext,
  ) {
    this.context = context ?? testContext();
  }

  async start(): Promise<void> {
    this.api = AppProcess.api(this.context, this.context.pbx.ariPort + 10, {
      PBX_ADMIN_TOKEN: this.adminToken,
      ...this.env,
    });
    this.client = new ApiClient(this.api.url, this.adminToken);
    this.worker = this.newWorker();
    // this fixture's own lines only (files are per port and appended to across runs)
    for (const process of [this.api, this.worker]) fs.writeFileSync(process.logFile, '');
    await this.api.start();
    await this.worker.start();
    this.peer = await SipPeer.connect(this.context);
    this.receiver = await WebhookReceiver.start();
    this.db = new Client({ connectionString: this.context.databaseUrl });
    this.db.on('error', () => undefined); // the database may be restarted under us
    await this.db.connect();
    this.trunkId = (
      await this.request('POST', '/api/pbx/trunks', {
        name: `fault-carrier-${randomBytes(3).toString('hex')}`,
        host: this.context.peer.carrierAddress,
        port: this.context.peer.carrierPort,
      })
    ).body.data.id;
    for (let i = 0; i < 30; i++) this.tokens.push((await this.client.newToken('fault')).token);
  }

  newWorker(): AppProcess {
    return AppProcess.worker(this.context, this.env);
  }

  async stop(): Promise<void> {
    await this.peer?.close().catch(() => undefined);
    await this.receiver?.close();
    await this.db?.end().catch(() => undefined);
    await this.worker?.stop();
    await this.api?.stop();
  }

  request(method: string, path: string, body?: unknown, token?: string): Promise<HttpResult> {
    return this.client.request(method, path, body, token);
  }

  /** A registered agent extension (set what its desk phone does with peer.setBehavior). */
  async agent(): Promise<string> {
    const number = String(3_000_000 + Math.floor(Math.random() * 6_000_000));
    await addAgents(this.client, this.peer, [{ number, password: phonePassword(number, 'fault') }]);
    return number;
  }

  clickToCall(from: string, to: string): Promise<HttpResult> {
    return this.request(
      'POST',
      '/api/pbx/calls/click-to-call',
      { from_extension: from, to_phone: to, trunk_id: this.trunkId },
      this.tokens[Math.floor(Math.random() * this.tokens.length)],
    );
  }

  async call(uuid: string) {
    return (await this.request('GET', `/api/pbx/calls/${uuid}`)).body.data;
  }

  async waitStatus(uuid: string, status: string, timeoutMs = 20_000): Promise<void> {
    await waitUntil(async () => (await this.call(uuid))?.status === status, timeoutMs, `call ${uuid} ${status}`);
  }

  async subscribe(path: string): Promise<void> {
    const created = await this.request('POST', '/api/pbx/webhooks', {
      url: this.receiver.url(path),
      events: ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'],
    });
    expect(created.status).toBe(201);
  }

  /** Events of one call as the receiver got them (2xx answers only), in arrival order. */
  delivered(path: string, uuid: string): Array<{ id: string; type: string; sequence: number; leg: string | null }> {
    return this.receiver
      .on(path)
      .filter((r) => r.answered === 200)
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.call_uuid === uuid);
  }
}

export function customerNumber(): string {
  return `09${String(Math.floor(Math.random() * 100_000_000)).padStart(8, '0')}`;
}
