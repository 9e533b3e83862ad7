import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { testContext } from '../harness/test-context';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

/** The real, effective, saved and filesystem uids of a process, from /proc. */
function uidsOf(pid: number): number[] {
  const line = /^Uid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  return line.trim().split(/\s+/).map(Number);
}

/**
 * `npm run up` as the machine's root would run it (scripts/up.sh, then scripts/down.sh), on ports
 * of its own (base + 400 to base + 599), its own state folder and Asterisk instance, against the
 * test database: none of Asterisk, the API and the worker runs as root.
 */
describe('least privilege under npm run up', () => {
  const context = testContext();
  const base = context.portBase;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-up-test-'));
  const instance = `test-up-${base}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PBX_STATE_DIR: stateDir,
    ASTERISK_CHROOT: context.chrootDir,
    ASTERISK_INSTANCE: instance,
    DATABASE_URL: context.databaseUrl,
    PORT: String(base + 400),
    SIP_PORT: String(base + 460),
    AMI_PORT: String(base + 438),
    ARI_URL: `http://127.0.0.1:${base + 488}`,
    WORKER_METRICS_PORT: String(base + 401),
    RTP_START: String(base + 500),
    RTP_END: String(base + 599),
    LOG_LEVEL: 'warn',
  };
  const pidOf = (file: string) => Number(fs.readFileSync(file, 'utf8').trim());

  beforeAll(async () => {
    await execFileAsync('bash', [path.join(ROOT, 'scripts', 'up.sh')], { env, cwd: ROOT, timeout: 300_000 });
  }, 310_000);

  afterAll(async () => {
    await execFileAsync('bash', [path.join(ROOT, 'scripts', 'down.sh')], { env, cwd: ROOT, timeout: 60_000 });
    fs.rmSync(stateDir, { recursive: true, force: true });
  }, 70_000);

  it('runs Asterisk as the chroot user asterisk', () => {
    const pid = pidOf(path.join(context.chrootDir, 'srv', 'pbx', instance, 'run', 'asterisk.pid'));
    const passwd = fs.readFileSync(path.join(context.chrootDir, 'etc', 'passwd'), 'utf8');
    const asteriskUid = Number(/^asterisk:[^:]*:(\d+):/m.exec(passwd)?.[1]);
    expect(uidsOf(pid)).toEqual([asteriskUid, asteriskUid, asteriskUid, asteriskUid]);
    expect(asteriskUid).toBeGreaterThan(0);
  });

  it.each(['api', 'worker'])('runs the %s as the unprivileged system user pbx', async (app) => {
    const pid = pidOf(path.join(stateDir, `${app}.pid`));
    const { stdout } = await execFileAsync('id', ['-u', 'pbx']);
    const pbxUid = Number(stdout.trim());
    expect(pbxUid).toBeGreaterThan(0);
    expect(uidsOf(pid)).toEqual([pbxUid, pbxUid, pbxUid, pbxUid]);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(`dist/apps/${app}/src/main.js`);
    // no login shell for it
    expect((await execFileAsync('getent', ['passwd', 'pbx'])).stdout.trim()).toMatch(/:\/usr\/sbin\/nologin$/);
  });

  it('the API it started is healthy (Asterisk, as asterisk, answers ARI and AMI)', async () => {
    const health = await fetch(`http://127.0.0.1:${base + 400}/health`);
    expect(health.status).toBe(200);
  });
});
