import { decodeAppArgs, encodeAppArgs } from './app-args';
import { AriError } from './ari/ari-error';
import { extensionDialString, trunkDialString, trunkEndpointId, trunkIdOfEndpoint } from './dial-string';

describe('dial strings', () => {
  it('writes extension and trunk dial strings', () => {
    expect(extensionDialString('1001')).toBe('PJSIP/1001');
    expect(trunkDialString(4, '+84987654321')).toBe('PJSIP/+84987654321@trunk-4');
  });

  it('refuses what would change what Asterisk dials', () => {
    for (const bad of ['1001&PJSIP/2000', '0987/x', '09,87', '', 'abc', '1'.repeat(65)])
      expect(() => trunkDialString(4, bad)).toThrow();
    expect(() => trunkDialString(0, '0987')).toThrow();
    expect(() => extensionDialString('1001@trunk-1')).toThrow();
  });

  it("reads a trunk's id back from its endpoint id, and nothing else", () => {
    expect(trunkIdOfEndpoint(trunkEndpointId(4))).toBe(4);
    expect(trunkIdOfEndpoint('trunk-123456')).toBe(123456);
    for (const other of [
      '1001',
      'trunk-',
      'trunk-0',
      'trunk-04',
      'trunk-4x',
      'xtrunk-4',
      'trunk-99999999999',
      'anonymous',
    ])
      expect(trunkIdOfEndpoint(other)).toBeNull();
  });
});

describe('Stasis arguments', () => {
  it('round-trips our legs', () => {
    const callUuid = '0b7e7c1a-2f7d-4c53-9a51-2f0e1c3d4b5a';
    for (const leg of ['a', 'b'] as const)
      expect(decodeAppArgs(encodeAppArgs({ kind: 'leg', leg, callUuid }).split(','))).toEqual({
        kind: 'leg',
        leg,
        callUuid,
      });
  });

  it('knows calls from the dialplan and nothing else', () => {
    expect(decodeAppArgs(['inbound'])).toEqual({ kind: 'inbound' });
    expect(decodeAppArgs(['phone'])).toEqual({ kind: 'phone' });
    expect(decodeAppArgs(['phone', '2001'])).toEqual({ kind: 'unknown', args: ['phone', '2001'] });
    expect(decodeAppArgs(['inbound', '2001,aors)'])).toEqual({ kind: 'unknown', args: ['inbound', '2001,aors)'] });
    expect(decodeAppArgs(['a', 'not-a-uuid'])).toEqual({ kind: 'unknown', args: ['a', 'not-a-uuid'] });
    expect(decodeAppArgs(undefined)).toEqual({ kind: 'unknown', args: [] });
    expect(decodeAppArgs(['c', '0b7e7c1a-2f7d-4c53-9a51-2f0e1c3d4b5a']).kind).toBe('unknown');
  });
});

describe('AriError', () => {
  it('is classified by status, never by message', () => {
    expect(new AriError(404, 'whatever').kind).toBe('not_found');
    expect(new AriError(409, 'Channel not in Stasis application').kind).toBe('not_in_stasis');
    expect(new AriError(409, 'something else entirely').kind).toBe('not_in_stasis');
    expect(new AriError(422, 'x').kind).toBe('invalid_state');
    expect(new AriError(0, 'timeout').kind).toBe('unavailable');
    expect(new AriError(503, 'x').kind).toBe('unavailable');
    expect(AriError.is(new AriError(404, ''), 'not_found')).toBe(true);
    expect(AriError.is(new Error('404 not found'), 'not_found')).toBe(false);
  });
});
