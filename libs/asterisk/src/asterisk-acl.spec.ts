import { AmiMessage } from 'asterisk-ami-client';
import { aclDiff, AsteriskAcl } from './asterisk-acl';

describe('aclDiff', () => {
  it('puts what is wanted and not held, deletes what is held and not wanted', () => {
    expect(aclDiff(['10.0.0.1', '10.0.0.2'], ['10.0.0.2', '10.0.0.3'])).toEqual({
      put: ['10.0.0.3'],
      del: ['10.0.0.1'],
    });
    expect(aclDiff([], [])).toEqual({ put: [], del: [] });
  });
});

describe('AsteriskAcl', () => {
  function make(tree: string[], failDel?: string) {
    const actions: AmiMessage[] = [];
    const ami = {
      action: jest.fn(async (message: AmiMessage) => {
        actions.push(message);
        if (message.Action === 'DBDel' && failDel) throw new Error(`AMI DBDel failed: ${failDel}`);
        return { Response: 'Success' };
      }),
      list: jest.fn(async () => tree.map((Key) => ({ Event: 'DBGetTreeResponse', Key, Val: '{}' }))),
    };
    return { acl: new AsteriskAcl(ami as never), actions };
  }

  it('writes one deny object per address, in the family res_sorcery_astdb reads', async () => {
    const { acl, actions } = make([]);
    await acl.deny('203.0.113.9');
    expect(actions).toEqual([
      { Action: 'DBPut', Family: 'pbx_bans/acl', Key: 'ban-203.0.113.9', Val: '{"deny":"203.0.113.9"}' },
    ]);
  });

  it('syncs astdb to the wanted addresses, ignoring keys that are not bans', async () => {
    const { acl, actions } = make(['/pbx_bans/acl/ban-10.0.0.1', '/pbx_bans/acl/ban-10.0.0.2', '/pbx_bans/acl/other']);
    await acl.sync(['10.0.0.2', '2001:db8::1']);
    expect(actions.map((a) => `${a.Action} ${a.Key}`)).toEqual(['DBPut ban-2001:db8::1', 'DBDel ban-10.0.0.1']);
  });

  it('lifting an address Asterisk does not hold is not an error; other failures are', async () => {
    await expect(make([], 'Database entry could not be deleted').acl.allow('10.0.0.1')).resolves.toBeUndefined();
    await expect(make([], 'timeout').acl.allow('10.0.0.1')).rejects.toThrow('timeout');
  });
});
