import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * asterisk/render.sh, the one renderer of the Asterisk templates, run as the local runner runs
 * it (the host's /bin/sh and gawk) and as the Docker image does (Debian sid's dash and mawk, in
 * the Asterisk chroot that scripts/test.sh provides). Values are read back from the rendered
 * files the way Asterisk (and libpq, for the database password) read them.
 */
const CHROOT = process.env.ASTERISK_CHROOT ?? '/var/cache/pbx-control-plane/asterisk-sid';
const CHROOT_READY = fs.existsSync(path.join(CHROOT, '.pbx-asterisk-ready')) && process.getuid?.() === 0;

interface Rendered {
  code: number;
  stdout: string;
  stderr: string;
  /** the output folder, seen from here */
  out: string;
}

/** A copy of render.sh and the templates in a scratch folder, and a way to run it there. */
class Workspace {
  private constructor(
    private readonly hostDir: string,
    /** the same folder as render.sh sees it */
    private readonly shellDir: string,
    private readonly chroot?: string,
  ) {}

  static create(chroot?: string): Workspace {
    const parent = chroot ? path.join(chroot, 'tmp') : os.tmpdir();
    const hostDir = fs.mkdtempSync(path.join(parent, 'pbx-render-test-'));
    fs.copyFileSync(path.join(__dirname, 'render.sh'), path.join(hostDir, 'render.sh'));
    fs.cpSync(path.join(__dirname, 'templates'), path.join(hostDir, 'templates'), { recursive: true });
    return new Workspace(hostDir, chroot ? `/${path.relative(chroot, hostDir)}` : hostDir, chroot);
  }

  /** A template folder of the test's own, next to the real ones. */
  addTemplates(folder: string, files: Record<string, string>): void {
    fs.mkdirSync(path.join(this.hostDir, folder), { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(this.hostDir, folder, name), text);
  }

  render(
    vars: Record<string, string>,
    folders: string[],
    outName = `out-${Math.random().toString(36).slice(2)}`,
  ): Promise<Rendered> {
    const args = [
      `${this.shellDir}/render.sh`,
      `${this.shellDir}/${outName}`,
      ...folders.map((folder) => `${this.shellDir}/${folder}`),
    ];
    const [command, argv] = this.chroot ? ['chroot', [this.chroot, '/bin/sh', ...args]] : ['/bin/sh', args];
    return new Promise((resolve) => {
      execFile(command, argv, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...vars } }, (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code ?? 0;
        if (typeof code !== 'number') throw error; // could not run at all (ENOENT...)
        resolve({ code, stdout, stderr, out: path.join(this.hostDir, outName) });
      });
    });
  }

  remove(): void {
    fs.rmSync(this.hostDir, { recursive: true, force: true });
  }
}

/** What asterisk/templates/{common,pbx} need, all valid. */
const PBX_VARS: Record<string, string> = {
  INSTANCE: 'render-test',
  INSTANCE_DIR: '/srv/pbx/render-test',
  SIP_BIND: '127.0.0.1',
  SIP_PORT: '5060',
  SIP_REALM: 'pbx',
  AMI_PORT: '5038',
  AMI_USERNAME: 'pbx',
  AMI_PASSWORD: 'ami-secret',
  ARI_PORT: '8088',
  ARI_USERNAME: 'pbx',
  ARI_PASSWORD: 'ari-secret',
  ARI_APP: 'pbx',
  RTP_START: '10000',
  RTP_END: '10999',
  RING_TIMEOUT: '30',
  MAX_CALL_SECONDS: '14400',
  DB_HOST: '127.0.0.1',
  DB_PORT: '5432',
  DB_NAME: 'pbx',
  DB_USER: 'postgres',
  DB_PASSWORD: '',
};
const PBX_FOLDERS = ['templates/common', 'templates/pbx'];

const TRICKY = [
  'a;b',
  'back\\slash',
  'amp&ersand',
  'pipe|x',
  '$dollar',
  '${HOME}',
  'sl/ash',
  'x\\;y',
  ';;',
  'trail\\',
  'p=a>s[s]',
  'pässwörd',
];

/**
 * The value of `key` in an Asterisk configuration text, as main/config.c reads it: a ';' starts a
 * comment unless a '\' precedes it (that '\' is dropped), and the value is trimmed.
 */
function asteriskValue(text: string, key: string): string {
  for (const raw of text.split('\n')) {
    let line = '';
    for (const char of raw) {
      if (char !== ';') line += char;
      else if (line.endsWith('\\')) line = `${line.slice(0, -1)};`;
      else break;
    }
    const match = /^\s*([^=\s]+)\s*=>?(.*)$/.exec(line);
    if (match && match[1] === key) return match[2].trim();
  }
  throw new Error(`no ${key} in ${text}`);
}

/** An unquoted value of a libpq connection string ("password=%s"): '\' takes the next character as is. */
function libpqValue(value: string): string {
  let result = '';
  for (let i = 0; i < value.length; i++) {
    if (/\s/.test(value[i])) break;
    if (value[i] === '\\') i++;
    if (i < value.length) result += value[i];
  }
  return result;
}

const read = (rendered: Rendered, file: string) => fs.readFileSync(path.join(rendered.out, file), 'utf8');

const runners: Array<[string, string | undefined]> = [
  ['the host /bin/sh', undefined],
  ['the Asterisk chroot /bin/sh (dash, mawk)', CHROOT],
];

describe.each(runners)('render.sh with %s', (_name, chroot) => {
  if (chroot !== undefined && !CHROOT_READY) {
    it.skip(`needs root and the Asterisk chroot in ${CHROOT} (asterisk/chroot.sh)`, () => undefined);
    return;
  }
  let workspace: Workspace;
  beforeAll(() => {
    workspace = Workspace.create(chroot);
    workspace.addTemplates('tricky', {
      'tricky.conf': `[values]\n${TRICKY.map((_, i) => `v${i} = {{V${i}}}\n`).join('')}twice = {{V0}}-{{V0}}{{V1}} ; a comment\n`,
    });
    workspace.addTemplates('malformed', { 'bad.conf': 'x = {{lower}}\n' });
  });
  afterAll(() => workspace.remove());

  it('writes every value so that Asterisk reads back exactly that value', async () => {
    const values = Object.fromEntries(TRICKY.map((value, i) => [`V${i}`, value]));
    const vars = {
      ...PBX_VARS,
      ...values,
      ARI_PASSWORD: 'ari;p&ss\\|$x/y',
      AMI_PASSWORD: 'ami;;p|a\\ss&',
      DB_PASSWORD: "p w'\\;d&",
    };
    const rendered = await workspace.render(vars, [...PBX_FOLDERS, 'tricky']);
    expect(rendered).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const tricky = read(rendered, 'tricky.conf');
    TRICKY.forEach((value, i) => expect(asteriskValue(tricky, `v${i}`)).toBe(value));
    expect(asteriskValue(tricky, 'twice')).toBe(`${TRICKY[0]}-${TRICKY[0]}${TRICKY[1]}`);
    expect(asteriskValue(read(rendered, 'ari.conf'), 'password')).toBe(vars.ARI_PASSWORD);
    expect(asteriskValue(read(rendered, 'manager.conf'), 'secret')).toBe(vars.AMI_PASSWORD);
    expect(asteriskValue(read(rendered, 'manager.conf'), 'port')).toBe('5038');
    for (const [file, key] of [
      ['res_pgsql.conf', 'dbpass'],
      ['cel_pgsql.conf', 'password'],
    ]) {
      expect(libpqValue(asteriskValue(read(rendered, file), key))).toBe(vars.DB_PASSWORD);
    }
  });

  it('writes files readable by their owner only, a later folder winning, no placeholder left', async () => {
    const rendered = await workspace.render(PBX_VARS, PBX_FOLDERS);
    expect(rendered.code).toBe(0);
    const files = fs.readdirSync(rendered.out).sort();
    const expected = new Set([
      ...fs.readdirSync(path.join(__dirname, 'templates/common')),
      ...fs.readdirSync(path.join(__dirname, 'templates/pbx')),
    ]);
    expect(files).toEqual([...expected].sort());
    for (const file of files) {
      expect(fs.statSync(path.join(rendered.out, file)).mode & 0o777).toBe(0o600);
      expect(read(rendered, file)).not.toContain('{{');
    }
    // cel.conf is in both folders: pbx's comes second and is the one kept
    expect(read(rendered, 'cel.conf')).toBe(fs.readFileSync(path.join(__dirname, 'templates/pbx/cel.conf'), 'utf8'));
  });

  it.each([
    ['a line feed', 'before\nafter'],
    ['a carriage return', 'before\rafter'],
    ['a tab', 'before\tafter'],
  ])('refuses a value with %s, naming the variable, printing no value, writing nothing', async (_what, value) => {
    const rendered = await workspace.render({ ...PBX_VARS, ARI_PASSWORD: value }, PBX_FOLDERS);
    expect(rendered.code).not.toBe(0);
    expect(rendered.stderr).toContain('ARI_PASSWORD must not contain a line break');
    expect(rendered.stderr + rendered.stdout).not.toMatch(/before|after/);
    expect(fs.existsSync(rendered.out)).toBe(false);
  });

  it('refuses a missing variable, naming it, writing nothing', async () => {
    const vars: Record<string, string> = { ...PBX_VARS };
    delete vars.ARI_PASSWORD;
    const rendered = await workspace.render(vars, PBX_FOLDERS);
    expect(rendered.code).not.toBe(0);
    expect(rendered.stderr.trim()).toBe('render.sh: ARI_PASSWORD is not set');
    expect(fs.existsSync(rendered.out)).toBe(false);
  });

  it('lists every invalid value at once, by name only', async () => {
    const rendered = await workspace.render(
      {
        ...PBX_VARS,
        AMI_PASSWORD: '',
        SIP_PORT: '70000',
        AMI_PORT: '50a',
        RTP_START: '20000',
        RTP_END: '10000',
        SIP_BIND: 'example.com',
        ARI_APP: 'bad app',
        INSTANCE_DIR: 'relative',
        ARI_PASSWORD: ' padded-secret',
      },
      PBX_FOLDERS,
    );
    expect(rendered.code).not.toBe(0);
    for (const name of [
      'AMI_PASSWORD must not be empty',
      'SIP_PORT must be a whole number',
      'AMI_PORT must be a whole number',
      'RTP_START must not be greater than RTP_END',
      'SIP_BIND must be an IPv4 address',
      'ARI_APP may only use',
      'INSTANCE_DIR must be an absolute path',
      'ARI_PASSWORD must not start or end with a space',
    ]) {
      expect(rendered.stderr).toContain(name);
    }
    expect(rendered.stderr).not.toMatch(/padded-secret|example\.com|bad app/);
    expect(fs.existsSync(rendered.out)).toBe(false);
  });

  it('refuses a malformed placeholder, naming the file', async () => {
    const rendered = await workspace.render(PBX_VARS, [...PBX_FOLDERS, 'malformed']);
    expect(rendered.code).not.toBe(0);
    expect(rendered.stderr).toMatch(/malformed\/bad\.conf line 1: malformed placeholder/);
    expect(fs.existsSync(rendered.out)).toBe(false);
  });
});
