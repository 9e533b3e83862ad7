import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

/**
 * A PostgreSQL cluster of a test's own (initdb into a temporary folder, trust authentication,
 * 127.0.0.1 and a socket folder of its own, on `port`), so that a test may stop and start it
 * without touching the machine's cluster. Runs as the `postgres` user (initdb refuses root).
 */
export class ThrowawayPostgres {
  readonly dir: string;
  private readonly dataDir: string;
  private readonly bin: string;

  constructor(readonly port: number) {
    const version = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
      .sort((a, b) => Number(a) - Number(b))
      .pop();
    if (!version) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    this.bin = `/usr/lib/postgresql/${version}/bin`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-throwaway-pg-'));
    this.dataDir = path.join(this.dir, 'data');
  }

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb and start, then create `databases`. */
  async create(...databases: string[]): Promise<void> {
    fs.chmodSync(this.dir, 0o700);
    execFileSync('chown', ['postgres:postgres', this.dir]);
    this.asPostgres(`${this.bin}/initdb`, '-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8');
    this.start();
    const client = new Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      for (const name of databases) await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
  }

  start(): void {
    if (this.running()) return;
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`;
    this.asPostgres(`${this.bin}/pg_ctl`, '-D', this.dataDir, '-o', options, '-l', `${this.dir}/log`, '-w', 'start');
  }

  stop(): void {
    if (this.running()) this.asPostgres(`${this.bin}/pg_ctl`, '-D', this.dataDir, '-m', 'fast', '-w', 'stop');
  }

  running(): boolean {
    try {
      this.asPostgres(`${this.bin}/pg_ctl`, '-D', this.dataDir, 'status');
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the cluster and deletes its files. Safe to call more than once, or after a failed create. */
  drop(): void {
    try {
      if (fs.existsSync(path.join(this.dataDir, 'PG_VERSION'))) this.stop();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private asPostgres(command: string, ...args: string[]): void {
    execFileSync('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args], {
      stdio: 'ignore',
      timeout: 60_000,
      cwd: this.dir,
    });
  }
}
