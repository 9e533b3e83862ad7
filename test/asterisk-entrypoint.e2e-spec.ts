import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { asteriskAccount } from '../asterisk/local/asterisk-account';
import { testContext } from './harness/test-context';

const execFileAsync = promisify(execFile);
const ASTERISK_DIR = path.resolve(__dirname, '..', 'asterisk');
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The Docker path without Docker: asterisk/docker-entrypoint.sh itself, with render.sh,
 * defaults.env and the templates beside it as in the image, runs in the Asterisk chroot (Debian
 * sid, as the image; sharing the host's network, as compose's network_mode: host), renders and
 * boots Asterisk in the foreground on ports of its own (base + 210 to base + 399), with
 * passwords Asterisk's file syntax would cut at ';'. As the image's USER: the asterisk user.
 */
describe('asterisk/docker-entrypoint.sh in the Asterisk chroot', () => {
  const context = testContext();
  const root = context.chrootDir;
  const base = context.portBase;
  const ports = { sip: base + 210, ami: base + 238, ari: base + 288, rtpStart: base + 300, rtpEnd: base + 399 };
  // cut at the ';' these would become 'ami' and 'ari', which the tests show is refused
  const AMI_PASSWORD = 'ami;se&cr\\et|$x/y';
  const ARI_PASSWORD = 'ari;s&e\\cr|$et/z';
  const db = new URL(context.databaseUrl);
  const { uid, gid } = asteriskAccount(root);
  const asUser = `--userspec=${uid}:${gid}`; // the image's USER asterisk
  let hostDir: string;
  let inside: string;
  let asterisk: ChildProcess;
  let output = '';
  let exit: Promise<number | null>;

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH,
    // SIP_REALM, the user names, ARI_APP and RING_TIMEOUT come from defaults.env
    INSTANCE: 'entrypoint-test',
    INSTANCE_DIR: `${inside}/instance`,
    SIP_BIND: '127.0.0.1',
    SIP_PORT: String(ports.sip),
    AMI_PORT: String(ports.ami),
    ARI_PORT: String(ports.ari),
    RTP_START: String(ports.rtpStart),
    RTP_END: String(ports.rtpEnd),
    AMI_PASSWORD,
    ARI_PASSWORD,
    DB_HOST: db.hostname === 'localhost' ? '127.0.0.1' : db.hostname,
    DB_PORT: db.port || '5432',
    DB_NAME: db.pathname.slice(1),
    DB_USER: 'pbx_asterisk',
    DB_PASSWORD: context.databasePasswords.asterisk,
    ...extra,
  });
  const cli = async (command: string): Promise<string> =>
    (
      await execFileAsync(
        'chroot',
        [root, '/usr/sbin/asterisk', '-C', `${inside}/instance/etc/asterisk.conf`, '-rx', command],
        { timeout: 10_000, env: { PATH } },
      )
    ).stdout;

  beforeAll(async () => {
    hostDir = fs.mkdtempSync(path.join(root, 'tmp', 'pbx-entrypoint-test-'));
    inside = `/${path.relative(root, hostDir)}`;
    for (const file of ['docker-entrypoint.sh', 'render.sh', 'defaults.env'])
      fs.copyFileSync(path.join(ASTERISK_DIR, file), path.join(hostDir, file));
    fs.chmodSync(path.join(hostDir, 'docker-entrypoint.sh'), 0o755);
    fs.cpSync(path.join(ASTERISK_DIR, 'templates'), path.join(hostDir, 'templates'), { recursive: true });
    fs.chownSync(hostDir, uid, gid); // as the image's volume: the asterisk user's

    asterisk = spawn('chroot', [asUser, root, `${inside}/docker-entrypoint.sh`], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    asterisk.stdout?.on('data', (chunk) => (output += chunk));
    asterisk.stderr?.on('data', (chunk) => (output += chunk));
    exit = new Promise((resolve) => asterisk.once('exit', (code) => resolve(code)));
    let exited = false;
    void exit.then(() => (exited = true));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`the entrypoint exited during start:\n${output}`);
      try {
        await cli('core waitfullybooted');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Asterisk not booted after 60 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }, 90_000);

  afterAll(async () => {
    if (asterisk?.exitCode === null && asterisk.signalCode === null) {
      asterisk.kill('SIGKILL');
      await exit;
    }
    if (hostDir) fs.rmSync(hostDir, { recursive: true, force: true });
  });

  it('renders, then runs Asterisk in place of the shell, with the secrets kept out of its environment and output', async () => {
    expect(output).toContain(`files into ${inside}/instance/etc (SIP 127.0.0.1:${ports.sip}`);
    expect(fs.readFileSync(`/proc/${asterisk.pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\t${uid}\\t`, 'm'));
    expect(await cli('core show version')).toMatch(/^Asterisk 22\./);
    // exec all the way: the process started is Asterisk itself, so SIGTERM reaches it
    expect(fs.readFileSync(path.join(hostDir, 'instance', 'run', 'asterisk.pid'), 'utf8').trim()).toBe(
      String(asterisk.pid),
    );
    const environ = fs.readFileSync(`/proc/${asterisk.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`SIP_PORT=${ports.sip}`);
    expect(environ).toContain('SIP_REALM=pbx'); // from defaults.env
    expect(environ.filter((entry) => /PASSWORD/.test(entry))).toEqual([]);
    expect(output).not.toContain('se&cr');
    expect(output).not.toContain('s&e\\cr');
    expect(await cli('pjsip show transports')).toContain(`127.0.0.1:${ports.sip}`);
  });

  it('ARI accepts the password with its ";" and refuses what precedes the ";"', async () => {
    const info = (password: string) =>
      fetch(`http://127.0.0.1:${ports.ari}/ari/asterisk/info`, {
        headers: { Authorization: `Basic ${Buffer.from(`pbx:${password}`).toString('base64')}` },
      }).then((r) => r.status);
    expect(await info(ARI_PASSWORD)).toBe(200);
    expect(await info('ari')).toBe(401);
  });

  it('AMI accepts the password with its ";" and refuses what precedes the ";"', async () => {
    expect(await amiLogin(ports.ami, 'pbx', AMI_PASSWORD)).toBe('Success');
    expect(await amiLogin(ports.ami, 'pbx', 'ami')).toBe('Error');
  });

  it('refuses a password with a line break, naming it without printing it, before starting anything', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: unknown; stdout: string; stderr: string }>((resolve) =>
      execFile(
        'chroot',
        [asUser, root, `${inside}/docker-entrypoint.sh`],
        { env: env({ INSTANCE_DIR: `${inside}/refused`, ARI_PASSWORD: 'first-line\nsecond-line' }) },
        (error, out, err) =>
          resolve({ code: error ? (error as { code?: unknown }).code : 0, stdout: out, stderr: err }),
      ),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('ARI_PASSWORD must not contain a line break');
    expect(stdout + stderr).not.toMatch(/first-line|second-line/);
    expect(fs.readdirSync(path.join(hostDir, 'refused', 'etc'))).toEqual([]);
  });

  it('stops on SIGTERM (what docker stop sends)', async () => {
    asterisk.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 15_000))),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(output).toContain('Asterisk cleanly ending');
  }, 20_000);
});

/** Logs in over AMI's line protocol and returns the Response header (Success or Error). */
function amiLogin(port: number, username: string, secret: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let sent = false;
    socket.setTimeout(5_000, () => socket.destroy(new Error('AMI did not answer')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (!sent && data.includes('\r\n')) {
        sent = true;
        socket.write(`Action: Login\r\nUsername: ${username}\r\nSecret: ${secret}\r\n\r\n`);
      }
      const response = /Response: (\w+)/.exec(data);
      if (response) {
        socket.destroy();
        resolve(response[1]);
      }
    });
  });
}
