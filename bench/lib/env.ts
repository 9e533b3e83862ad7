import { randomBytes } from 'node:crypto';
import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';
import { startTestEnvironment } from '../../test/harness/global-setup';
import { AppProcess } from '../../test/harness/processes';
import { SipPeer, sleep, waitUntil } from '../../test/harness/sip-peer';
import { TestContext } from '../../test/harness/test-context';
import { cpuSnapshot, CpuSnapshot } from './cpu';

/**
 * What the call benchmarks share: a fresh database, the PBX's Asterisk, the SIP test peer, and
 * the built API and worker as real processes (so their memory can be read).
 */
export class BenchEnv {
  readonly adminToken = `pbx_bench_admin_${randomBytes(12).toString('hex')}`;
  context!: TestContext;
  instances: AsteriskInstance[] = [];
  api!: AppProcess;
  worker!: AppProcess;
  peer!: SipPeer;
  trunkId!: number;
  private tokens: string[] = [];
  private nextToken = 0;

  static async start(env: Record<string, string> = {}): Promise<BenchEnv> {
    const bench = new BenchEnv();
    const { context, instances } = await startTestEnvironment({ base: Number(process.env.BENCH_PORT_BASE ?? 25000), dbName: 'pbx_bench' });
    bench.context = context;
    bench.instances = instances;
    const quiet = { LOG_LEVEL: 'warn', ...env };
    bench.api = AppProcess.api(context, context.pbx.ariPort + 10, { PBX_ADMIN_TOKEN: bench.adminToken, ...quiet });
    bench.worker = AppProcess.worker(context, quiet);
    await bench.api.start();
    await bench.worker.start();
    bench.peer = await SipPeer.connect(context);
    bench.trunkId = (await bench.request('POST', '/api/pbx/trunks', { name: 'bench-carrier', host: '127.0.0.1', port: context.peer.carrierPort })).body.data.id;
    return bench;
  }

  async stop(): Promise<void> {
    // hanging up hundreds of channels over ARI can stall; never let it keep the run from ending
    await Promise.race([this.peer?.close().catch(() => undefined), sleep(10_000)]);
    await this.worker?.stop();
    await this.api?.stop();
    await Promise.all(this.instances.map((i) => i.stop()));
  }

  /** CPU seconds used so far by each process of the run (see cpuSpent). */
  cpu(): CpuSnapshot {
    return cpuSnapshot([
      ['api', (_c, _n, pid) => pid === this.api.pid],
      ['worker', (_c, _n, pid) => pid === this.worker.pid],
      ['asterisk_pbx', (c) => c.includes(`/${this.context.pbx.name}/`)],
      ['asterisk_peer', (c) => c.includes(`/${this.context.peer.name}/`)],
      ['postgres', (_c, comm) => comm.startsWith('postgres')],
      ['load_generator', (_c, _n, pid) => pid === process.pid],
    ]);
  }

  async request(method: string, path: string, body?: unknown, token = this.adminToken): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await fetch(`${this.api.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  /** `count` calls-scope tokens: click-to-call allows 10 a minute per token. */
  async createTokens(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.tokens.push((await this.request('POST', '/api/pbx/tokens', { name: `bench-${i}`, scopes: ['calls'] })).body.data.token);
  }

  token(): string {
    return this.tokens[this.nextToken++ % this.tokens.length];
  }

  /** `count` registered agent extensions. */
  async agents(count: number): Promise<string[]> {
    const phones = Array.from({ length: count }, (_, i) => ({ number: String(5000 + i), password: `bench-pw-${5000 + i}` }));
    for (const phone of phones) await this.request('POST', '/api/pbx/extensions', phone);
    await this.peer.addPhones(...phones);
    for (const phone of phones) await this.peer.waitRegistration(phone.number, 'Registered', 30_000);
    await waitUntil(async () => (await this.request('GET', '/api/pbx/extensions')).body.data.filter((e: { registered: boolean }) => e.registered).length >= count, 10_000, 'agents registered');
    return phones.map((p) => p.number);
  }
}
