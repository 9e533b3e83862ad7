import * as fs from 'node:fs';
import * as path from 'node:path';

/** The chroot's `asterisk` account (created by Debian's asterisk package), as numbers. */
export interface AsteriskAccount {
  uid: number;
  gid: number;
}

/**
 * Reads the `asterisk` user from the chroot's own /etc/passwd: the ids inside the chroot are what
 * the instance folders must be owned by, whatever the host calls those numbers.
 */
export function asteriskAccount(chrootDir: string): AsteriskAccount {
  const passwd = fs.readFileSync(path.join(chrootDir, 'etc', 'passwd'), 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('asterisk:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (!entry || !/^\d+$/.test(uid) || !/^\d+$/.test(gid) || Number(uid) === 0)
    throw new Error(`no unprivileged asterisk user in ${chrootDir}/etc/passwd (rebuild it with asterisk/chroot.sh)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** The project targets Asterisk 22 (ARI, PJSIP realtime views, module names): refuse any other. */
export function assertAsterisk22(versionOutput: string): void {
  const version = /Asterisk (\S+)/.exec(versionOutput)?.[1];
  if (!version || !version.startsWith('22.'))
    throw new Error(
      `Asterisk 22 is required, found ${version ?? `"${versionOutput.trim()}"`}; ` +
        'rebuild the chroot with asterisk/chroot.sh (it holds asterisk at 1:22.*)',
    );
}
