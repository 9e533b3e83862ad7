import { randomBytes } from 'node:crypto';
import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';
import { addAgents, ApiClient, HttpResult } from '../../test/harness/api-client';
import { startTestEnvironment } from '../../test/harness/global-setup';
import { AppProcess } from '../../test/harness/processes';
import { SipPeer, sleep } from '../../test/harness/sip-peer';
import { phonePassword } from '../../test/harness/phone-password';
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
  client!: ApiClient;
  worker!: AppProcess;
  peer!: SipPeer;
  trunkId!: number;
  private tokens: string[] = [];
  private nextToken = 0;

  static async start(env: Record<string, string> = {}): Promise<BenchEnv> {
    const bench = new BenchEnv();
    const { context, instances } = await startTestEnvironment({
      base: Number(process.env.BENCH_PORT_BASE ?? 25000),
      // BENCH_DB: a run's own database, so two runs on one PostgreSQL do not drop each other's
      dbName: process.env.BENCH_DB ?? 'pbx_bench',
    });
    bench.context = context;
    bench.instances = instances;
    const quiet = { LOG_LEVEL: 'warn', ...env };
    bench.api = AppProcess.api(context, context.pbx.ariPort + 10, { PBX_ADMIN_TOKEN: bench.adminToken, ...quiet });
    bench.client = new ApiClient(bench.api.url, bench.adminToken);
    bench.worker = AppProcess.worker(context, quiet);
    await bench.api.start();
    await bench.worker.start();
    bench.peer = await SipPeer.connect(context);
    bench.trunkId = (
      await bench.request('POST', '/api/pbx/trunks', {
        name: 'bench-carrier',
        host: context.peer.carrierAddress,
        port: context.peer.carrierPort,
      })
    ).body.data.id;
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

  request(method: string, path: string, body?: unknown, token?: string): Promise<HttpResult> {
    return this.client.request(method, path, body, token);
  }

  /** `count` calls-scope tokens: click-to-call allows 10 a minute per token. */
  async createTokens(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.tokens.push((await this.client.newToken(`bench-${i}`)).token);
  }

  token(): string {
    return this.tokens[this.nextToken++ % this.tokens.length];
  }

  /** `count` registered agent extensions. */
  async agents(count: number): Promise<string[]> {
    const phones = Array.from({ length: count }, (_, i) => String(5000 + i)).map((number) => ({
      number,
      password: phonePassword(number, 'bench'),
    }));
    await addAgents(this.client, this.peer, phones, 30_000);
    return phones.map((p) => p.number);
  }
}
