import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertAsterisk22, asteriskAccount } from './asterisk-account';

describe('assertAsterisk22', () => {
  it('accepts Asterisk 22', () => {
    expect(() => assertAsterisk22('Asterisk 22.10.1+dfsg+~cs6.17.60671434-1\n')).not.toThrow();
  });

  it.each(['Asterisk 23.0.0\n', 'Asterisk 20.5.2\n', 'Asterisk 2.1\n', 'command not found'])(
    'refuses %j, naming the version found',
    (output) => {
      expect(() => assertAsterisk22(output)).toThrow(/Asterisk 22 is required, found/);
    },
  );
});

describe('asteriskAccount', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-account-'));
  fs.mkdirSync(path.join(root, 'etc'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reads the chroot's asterisk user", () => {
    fs.writeFileSync(
      path.join(root, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/bash\nasterisk:x:101:102:Asterisk PBX daemon:/var/lib/asterisk:/usr/sbin/nologin\n',
    );
    expect(asteriskAccount(root)).toEqual({ uid: 101, gid: 102 });
  });

  it('refuses a root or missing asterisk user', () => {
    fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'asterisk:x:0:0::/:/bin/sh\n');
    expect(() => asteriskAccount(root)).toThrow(/no unprivileged asterisk user/);
    fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0::/:/bin/sh\n');
    expect(() => asteriskAccount(root)).toThrow(/no unprivileged asterisk user/);
  });
});
