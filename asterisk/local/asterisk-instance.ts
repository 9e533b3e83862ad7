import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { AsteriskAccount, asteriskAccount, assertAsterisk22 } from './asterisk-account';

const execFileAsync = promisify(execFile);

export type AsteriskRole = 'pbx' | 'peer';

export interface AsteriskInstanceOptions {
  /** Unique name: the instance's files live in <chroot>/srv/pbx/<name>. */
  name: string;
  role: AsteriskRole;
  /** Root of the cached Debian sid chroot (asterisk/chroot.sh prints it). */
  chrootDir: string;
  /** Values for the {{VAR}} placeholders of asterisk/templates (INSTANCE and INSTANCE_DIR are added). */
  vars: Record<string, string | number>;
  /** Files written beside the rendered templates (for example the peer's phone list). */
  extraFiles?: Record<string, string>;
  /** Keep Asterisk running after this Node process exits (npm run up). */
  detached?: boolean;
}

// asterisk/ of the repository, from asterisk/local or from its build in dist/asterisk/local
const ASTERISK_DIR = path.resolve(
  __dirname,
  '..',
  '..',
  ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []),
  'asterisk',
);
const RENDER_TIMEOUT_MS = 30_000;
const BOOT_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/**
 * One Asterisk process in the shared chroot, with its own configuration, ports, logs and
 * astdb. Used by `npm run up` for the product and by the tests for the PBX under test and
 * the SIP test peer.
 */
export class AsteriskInstance {
  readonly instanceDir: string; // path as Asterisk sees it, inside the chroot
  readonly hostDir: string; // the same folder seen from the host
  private child?: ChildProcess;

  constructor(private readonly options: AsteriskInstanceOptions) {
    if (!/^[a-z0-9-]+$/.test(options.name)) throw new Error(`bad instance name ${options.name}`);
    this.instanceDir = `/srv/pbx/${options.name}`;
    this.hostDir = path.join(options.chrootDir, 'srv', 'pbx', options.name);
  }

  get logFile(): string {
    return path.join(this.hostDir, 'log', 'console.log');
  }

  get messagesLog(): string {
    return path.join(this.hostDir, 'log', 'messages.log');
  }

  /**
   * Renders the configuration and starts Asterisk, stopping a previous run of the same name.
   * Asterisk never holds root: chroot switches to the chroot's `asterisk` user before exec, and
   * the instance's folders are that user's (every port it binds is above 1024).
   */
  async start(): Promise<void> {
    await this.stop();
    const { stdout } = await execFileAsync('chroot', [this.options.chrootDir, '/usr/sbin/asterisk', '-V'], {
      timeout: 10_000,
    });
    assertAsterisk22(stdout);
    await this.render();
    const { uid, gid } = this.account;
    const log = fs.openSync(this.logFile, 'a');
    const command = ['/usr/sbin/asterisk', '-C', this.confPath, '-f', '-n'];
    this.child = spawn('chroot', [`--userspec=${uid}:${gid}`, this.options.chrootDir, ...command], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    if (this.options.detached) this.child.unref();
    await this.waitFullyBooted();
  }

  /** Stops Asterisk: `core stop now`, a bounded wait, then SIGKILL. Safe when not running. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    await this.cli('core stop now', 3_000).catch(() => undefined);
    if (!(await waitForExit(pid, STOP_GRACE_MS))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await waitForExit(pid, 2_000);
    }
    fs.rmSync(path.join(this.hostDir, 'run'), { recursive: true, force: true });
  }

  /** SIGKILL without a chance to clean up: for fault tests. */
  kill(): void {
    const pid = this.pid();
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  }

  /**
   * Runs one CLI command on this instance's control socket and returns its output. As root: the
   * socket is the asterisk user's (mode 0660), and only root and that user may use it.
   */
  async cli(command: string, timeoutMs = 10_000): Promise<string> {
    const { stdout } = await execFileAsync(
      'chroot',
      [this.options.chrootDir, '/usr/sbin/asterisk', '-C', this.confPath, '-rx', command],
      { timeout: timeoutMs },
    );
    return stdout;
  }

  /** Rewrites one extra configuration file (for example after adding a phone). */
  writeFile(name: string, content: string): void {
    const file = path.join(this.hostDir, 'etc', name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    fs.chownSync(file, this.account.uid, this.account.gid);
  }

  /** Writes a file into spool/recording, where ARI finds it as `recording:<name>` (tests' tone files). */
  writeRecording(fileName: string, content: Buffer): void {
    if (!/^[A-Za-z0-9_.-]+$/.test(fileName)) throw new Error(`bad recording file name ${fileName}`);
    const file = path.join(this.hostDir, 'spool', 'recording', fileName);
    fs.writeFileSync(file, content, { mode: 0o600 });
    fs.chownSync(file, this.account.uid, this.account.gid);
  }

  pid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.hostDir, 'run', 'asterisk.pid'), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  private get account(): AsteriskAccount {
    return asteriskAccount(this.options.chrootDir);
  }

  private get confPath(): string {
    return `${this.instanceDir}/etc/asterisk.conf`;
  }

  /**
   * Writes etc/ through asterisk/render.sh, the renderer the Docker image uses too (validation,
   * escaping of ';', refusal of line breaks). The values go to it in its environment only.
   */
  private async render(): Promise<void> {
    const vars: Record<string, string> = { INSTANCE: this.options.name, INSTANCE_DIR: this.instanceDir };
    for (const [key, value] of Object.entries(this.options.vars)) vars[key] = String(value);
    // /srv/pbx: others may pass through to their own instance but not list the instances
    const parent = path.dirname(this.hostDir);
    fs.mkdirSync(parent, { recursive: true });
    fs.chmodSync(parent, 0o711);
    const { uid, gid } = this.account;
    // spool/recording: ARI's channels/{id}/record writes there and Asterisk does not create it
    for (const dir of ['', 'etc', 'lib', 'spool', 'spool/recording', 'run', 'log']) {
      fs.mkdirSync(path.join(this.hostDir, dir), { recursive: true, mode: 0o700 });
    }
    chownTree(this.hostDir, uid, gid); // folders of runs as root (before this change) included
    const etc = path.join(this.hostDir, 'etc');
    for (const file of fs.readdirSync(etc)) fs.rmSync(path.join(etc, file));
    const templates = ['common', this.options.role].map((folder) => path.join(ASTERISK_DIR, 'templates', folder));
    try {
      await execFileAsync('/bin/sh', [path.join(ASTERISK_DIR, 'render.sh'), etc, ...templates], {
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...vars },
        timeout: RENDER_TIMEOUT_MS,
      });
    } catch (error) {
      // render.sh names the variables at fault and never prints a value
      const raw = (error as { stderr?: Buffer | string }).stderr;
      const stderr = (typeof raw === 'string' ? raw : (raw?.toString('utf8') ?? '')).trim();
      throw new Error(`asterisk ${this.options.name}: configuration not rendered:\n${stderr || String(error)}`, {
        cause: error,
      });
    }
    for (const [file, content] of Object.entries(this.options.extraFiles ?? {})) this.writeFile(file, content);
    chownTree(etc, uid, gid);
  }

  private async waitFullyBooted(): Promise<void> {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    const state: { exited: number | null } = { exited: null };
    this.child?.once('exit', (code) => (state.exited = code ?? -1));
    while (Date.now() < deadline) {
      if (state.exited !== null)
        throw new Error(`asterisk ${this.options.name} exited (${state.exited}) during start; see ${this.logFile}`);
      try {
        await this.cli('core waitfullybooted', 5_000);
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`asterisk ${this.options.name} not booted after ${BOOT_TIMEOUT_MS} ms; see ${this.logFile}`);
  }
}

/** chown -R, without following symbolic links. */
function chownTree(dir: string, uid: number, gid: number): void {
  fs.lchownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else fs.lchownSync(full, uid, gid);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  return false;
}
