import type { LookupAddress, LookupOptions } from 'node:dns';
import { checkTarget, pinnedLookup, ResolvedAddress } from './target-check';
import { forbiddenAddress } from './target-policy';

describe('pinnedLookup', () => {
  const checked: ResolvedAddress[] = [
    { address: '203.0.113.7', family: 4 },
    { address: '2001:db8::7', family: 6 },
  ];
  const lookup = (options: LookupOptions) =>
    new Promise<{
      error: NodeJS.ErrnoException | null;
      address: string | LookupAddress[];
      family?: number;
      sync: boolean;
    }>((resolve) => {
      let returned = false;
      pinnedLookup(checked)('crm.test', options, (error, address, family) =>
        resolve({ error, address, family, sync: !returned }),
      );
      returned = true;
    });

  it('answers with the checked addresses, never synchronously, whatever the name', async () => {
    expect(await lookup({})).toEqual({ error: null, address: '203.0.113.7', family: 4, sync: false });
    expect(await lookup({ all: true })).toMatchObject({ error: null, address: checked });
  });

  it('honours a family asked for, and fails rather than answer with an unchecked address', async () => {
    expect(await lookup({ family: 6 })).toMatchObject({ error: null, address: '2001:db8::7', family: 6 });
    expect(await lookup({ family: 4, all: true })).toMatchObject({ address: [checked[0]] });
    const onlyV4 = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      pinnedLookup([checked[0]])('crm.test', { family: 6 }, (error) => resolve(error)),
    );
    expect(onlyV4).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('checkTarget', () => {
  const never = async () => {
    throw new Error('must not resolve');
  };

  it('judges a literal without resolving it, IPv6 brackets removed', async () => {
    expect(await checkTarget(new URL('http://[::ffff:10.0.0.1]/'), never, forbiddenAddress)).toMatchObject({
      kind: 'refused',
    });
    expect(await checkTarget(new URL('http://8.8.8.8/'), never, forbiddenAddress)).toEqual({ kind: 'allowed' });
  });

  it('resolves the name without its root dot, in lower case', async () => {
    const asked: string[] = [];
    const resolve = async (host: string) => (asked.push(host), [{ address: '8.8.8.8', family: 4 }]);
    expect(await checkTarget(new URL('https://CRM.Example.com./x'), resolve, forbiddenAddress)).toMatchObject({
      kind: 'allowed',
      lookup: expect.any(Function),
    });
    expect(asked).toEqual(['crm.example.com']);
  });
});
