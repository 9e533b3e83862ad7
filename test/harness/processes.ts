import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestContext, testEnv } from './test-context';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The built API or worker (`npm run build`) as a real child process, for tests and benchmarks
 * that kill it, restart it or measure its memory.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly logFile: string;

  constructor(
    readonly kind: 'api' | 'worker',
    private readonly env: NodeJS.ProcessEnv,
    logDir = path.join(ROOT, '.pbx', 'test-logs'),
  ) {
    fs.mkdirSync(logDir, { recursive: true });
    this.logFile = path.join(logDir, `${kind}-${env.PORT ?? env.WORKER_METRICS_PORT}.log`);
  }

  static api(context: TestContext, port: number, extra: Record<string, string> = {}): AppProcess {
    return new AppProcess('api', { ...process.env, ...testEnv(context, { PORT: String(port), LOG_LEVEL: 'log', NO_COLOR: '1', ...extra }) });
  }

  static worker(context: TestContext, extra: Record<string, string> = {}): AppProcess {
    return new AppProcess('worker', { ...process.env, ...testEnv(context, { LOG_LEVEL: 'log', NO_COLOR: '1', ...extra }) });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.env.WORKER_METRICS_PORT}/metrics`;
  }

  /** Starts the process and waits until it is ready (API: /health 200; worker: ARI connected). */
  async start(timeoutMs = 20_000): Promise<void> {
    const main = path.join(ROOT, 'dist', 'apps', this.kind, 'src', 'main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    const log = fs.openSync(this.logFile, 'a');
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") to profile the apps
    const nodeArgs = (this.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, main], { env: this.env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.child?.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.kind} exited (${this.child.exitCode}); see ${this.logFile}`);
      if (await this.ready()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.kind} not ready after ${timeoutMs} ms; see ${this.logFile}`);
  }

  async ready(): Promise<boolean> {
    try {
      if (this.kind === 'api') return (await fetch(`${this.url}/health`)).status === 200;
      return (await (await fetch(this.metricsUrl)).text()).includes('pbx_asterisk_connection_up{link="ari"} 1');
    } catch {
      return false;
    }
  }

  /** SIGKILL: no shutdown hooks, no goodbye. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident set size in bytes, from /proc. */
  rssBytes(): number {
    const status = fs.readFileSync(`/proc/${this.child?.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  }
}
