import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TestContext, testEnv } from './test-context';

const ROOT = path.resolve(__dirname, '..', '..');

export interface AppProcessOptions {
  /** where the log goes (default .pbx/test-logs) and its file name (default `<kind>-<port>.log`) */
  logDir?: string;
  logName?: string;
  /** start each run with an empty log (default: append, so a restarted process adds to it) */
  truncateLog?: boolean;
  /** when the process counts as started (default: API /health 200; worker ARI connected) */
  ready?: () => Promise<boolean>;
}

/**
 * The built API or worker (`npm run build`) as a real child process, for the fault suite and
 * the benchmarks (processes that are killed, restarted or measured). It listens on the port of
 * its environment (PORT, or WORKER_METRICS_PORT for the worker), refused when something else
 * already does, and is killed if this process exits first.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly logFile: string;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  constructor(
    readonly kind: 'api' | 'worker',
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: AppProcessOptions = {},
  ) {
    const logDir = options.logDir ?? path.join(ROOT, '.pbx', 'test-logs');
    fs.mkdirSync(logDir, { recursive: true });
    this.logFile = path.join(logDir, options.logName ?? `${kind}-${this.port}.log`);
  }

  static api(context: TestContext, port: number, extra: Record<string, string> = {}): AppProcess {
    return new AppProcess('api', {
      ...process.env,
      ...testEnv(context, { PORT: String(port), LOG_LEVEL: 'log', NO_COLOR: '1', ...extra }),
    });
  }

  static worker(context: TestContext, extra: Record<string, string> = {}): AppProcess {
    return new AppProcess('worker', {
      ...process.env,
      ...testEnv(context, { LOG_LEVEL: 'log', NO_COLOR: '1', ...extra }),
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** the port it listens on: the API's HTTP port, the worker's metrics port */
  get port(): number {
    return Number(this.kind === 'api' ? this.env.PORT : this.env.WORKER_METRICS_PORT);
  }

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.env.WORKER_METRICS_PORT}/metrics`;
  }

  /** Starts the process and waits until it is ready. */
  async start(timeoutMs = 20_000): Promise<void> {
    const main = path.join(ROOT, 'dist', 'apps', this.kind, 'src', 'main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    // a readiness check answered by another process would pass for ours
    if (this.port && (await portInUse(this.port)))
      throw new Error(`${this.kind}: port ${this.port} is taken by another process`);
    const log = fs.openSync(this.logFile, this.options.truncateLog ? 'w' : 'a');
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") to profile the apps
    const nodeArgs = (this.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, main], { env: this.env, stdio: ['ignore', log, log] });
    this.child = child;
    fs.closeSync(log);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.killOnExit);
    void this.exited.then(() => process.removeListener('exit', this.killOnExit));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.kind} exited (${child.exitCode}); see ${this.logFile}`);
      if (await this.ready()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.kind} not ready after ${timeoutMs} ms; see ${this.logFile}`);
  }

  async ready(): Promise<boolean> {
    try {
      if (this.options.ready) return await this.options.ready();
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

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
