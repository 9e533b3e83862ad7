import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const LIB = path.join(__dirname, 'chroot-lib.sh');

/** Runs one function of chroot-lib.sh (POSIX sh, as chroot.sh sources it) with its arguments. */
function lib(fn: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('/bin/sh', ['-c', `. "${LIB}"; ${fn} "$@"`, 'chroot-lib', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  }).trim();
}

/** The PACKAGES list of chroot.sh, as it stands (so the test follows the list). */
function chrootPackages(): string {
  const line = /^PACKAGES="([^"]+)"$/m.exec(fs.readFileSync(path.join(__dirname, 'chroot.sh'), 'utf8'));
  if (!line) throw new Error('no PACKAGES="..." line in chroot.sh');
  return line[1];
}

describe('asterisk/chroot-lib.sh', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-chroot-lib-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('the ready marker', () => {
    it('changes when a package is added, not when the list is reordered', () => {
      const before = lib('chroot_marker', ['asterisk asterisk-modules asterisk-config', '1:22.*']);
      expect(before).toMatch(/^[0-9a-f]{64}$/);
      expect(lib('chroot_marker', ['asterisk-config asterisk asterisk-modules', '1:22.*'])).toBe(before);
      expect(lib('chroot_marker', ['asterisk asterisk-modules asterisk-config asterisk-opus', '1:22.*'])).not.toBe(
        before,
      );
      expect(lib('chroot_marker', ['asterisk asterisk-modules asterisk-config', '1:23.*'])).not.toBe(before);
    });
  });

  describe('what chroot.sh does', () => {
    const marker = path.join(dir, '.pbx-asterisk-ready');
    const want = 'a'.repeat(64);

    it('installs without a marker, with an empty (older format) one, or one of another package list', () => {
      fs.rmSync(marker, { force: true });
      expect(lib('chroot_action', [marker, want, '7'])).toBe('install');
      fs.writeFileSync(marker, '');
      expect(lib('chroot_action', [marker, want, '7'])).toBe('install');
      fs.writeFileSync(marker, `${'b'.repeat(64)}\n`);
      expect(lib('chroot_action', [marker, want, '7'])).toBe('install');
    });

    it('does nothing with a current marker, and refreshes once it is older than the maximum age', () => {
      fs.writeFileSync(marker, `${want}\n`);
      expect(lib('chroot_action', [marker, want, '7'])).toBe('ready');
      const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000);
      fs.utimesSync(marker, sixDaysAgo, sixDaysAgo);
      expect(lib('chroot_action', [marker, want, '7'])).toBe('ready');
      const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
      fs.utimesSync(marker, eightDaysAgo, eightDaysAgo);
      expect(lib('chroot_action', [marker, want, '7'])).toBe('refresh');
    });

    it('chroot.sh --dry-run says the same for a root', () => {
      const root = path.join(dir, 'root');
      fs.mkdirSync(root, { recursive: true });
      const dryRun = (env: NodeJS.ProcessEnv = {}) =>
        execFileSync('bash', [path.join(__dirname, 'chroot.sh'), '--dry-run'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, ASTERISK_CHROOT: root, ...env },
        }).trim();
      expect(dryRun()).toBe('install');
      fs.writeFileSync(path.join(root, '.pbx-asterisk-ready'), `${lib('chroot_marker', ['x', 'y'])}\n`);
      expect(dryRun()).toBe('install'); // a marker of another package list
      const current = lib('chroot_marker', [chrootPackages(), '1:22.*']);
      fs.writeFileSync(path.join(root, '.pbx-asterisk-ready'), `${current}\n`);
      expect(dryRun()).toBe('ready');
      const old = new Date(Date.now() - 3 * 86_400_000);
      fs.utimesSync(path.join(root, '.pbx-asterisk-ready'), old, old);
      expect(dryRun({ ASTERISK_CHROOT_MAX_AGE_DAYS: '2' })).toBe('refresh');
    });
  });

  describe("the Debian archive, from the machine's apt configuration", () => {
    const etc = path.join(dir, 'apt');
    fs.mkdirSync(path.join(etc, 'sources.list.d'), { recursive: true });

    it('reads deb822 .sources (Debian 12), skipping other archives and disabled entries', () => {
      fs.writeFileSync(
        path.join(etc, 'sources.list.d', 'a.sources'),
        'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\n\n' +
          'Types: deb\nEnabled: no\nURIs: http://old.example/debian\nSuites: sid\n\n' +
          'Types: deb deb-src\n# a comment\nURIs: http://mirror.example/debian/\nSuites: bookworm\nComponents: main\n',
      );
      expect(lib('chroot_mirror', [etc])).toBe('http://mirror.example/debian');
    });

    it('reads one-line sources.list entries with options', () => {
      fs.rmSync(path.join(etc, 'sources.list.d', 'a.sources'));
      fs.writeFileSync(
        path.join(etc, 'sources.list'),
        '# deb http://commented.example/debian sid main\ndeb [signed-by=/k.gpg] http://list.example/debian bookworm main\n',
      );
      expect(lib('chroot_mirror', [etc])).toBe('http://list.example/debian');
    });

    it('DEBIAN_MIRROR wins; none found is an error naming DEBIAN_MIRROR', () => {
      expect(lib('chroot_mirror', [etc], { DEBIAN_MIRROR: 'http://env.example/debian' })).toBe(
        'http://env.example/debian',
      );
      fs.rmSync(path.join(etc, 'sources.list'));
      expect(() => lib('chroot_mirror', [etc])).toThrow(/set DEBIAN_MIRROR/);
    });
  });
});
