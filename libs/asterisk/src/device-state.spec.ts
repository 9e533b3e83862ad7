import { deviceStateOfEndpoint, extensionOfDevice, stateOfDevice } from './device-state';

describe('stateOfDevice (SPEC section 3, Live state)', () => {
  it.each([
    ['NOT_INUSE', 'idle'],
    ['RINGING', 'ringing'],
    ['INUSE', 'in_call'],
    ['BUSY', 'in_call'],
    ['ONHOLD', 'in_call'],
    ['RINGINUSE', 'in_call'],
    ['UNAVAILABLE', 'unavailable'],
    ['INVALID', 'unavailable'],
    ['UNKNOWN', 'unavailable'],
    ['SOMETHING_NEW', 'unavailable'],
    ['', 'unavailable'],
  ])('%s is %s', (device, state) => {
    expect(stateOfDevice(device)).toBe(state);
  });
});

describe('deviceStateOfEndpoint (the initial read)', () => {
  it.each([
    ['offline', [], 'UNAVAILABLE'],
    ['unknown', [], 'UNAVAILABLE'],
    ['online', [], 'NOT_INUSE'],
    ['online', ['Down'], 'NOT_INUSE'],
    ['offline', ['Ringing'], 'RINGING'],
    ['offline', ['Up'], 'INUSE'],
    ['offline', ['Ring'], 'INUSE'],
    ['offline', ['Up', 'Ringing'], 'RINGINUSE'],
  ])('endpoint %s with channels %j is %s', (endpoint, channels, device) => {
    expect(deviceStateOfEndpoint(endpoint, channels)).toBe(device);
  });
});

describe('extensionOfDevice', () => {
  it('reads the extension of a PJSIP device, nothing else', () => {
    expect(extensionOfDevice('PJSIP/1001')).toBe('1001');
    expect(extensionOfDevice('PJSIP/trunk-3')).toBeNull();
    expect(extensionOfDevice('SIP/1001')).toBeNull();
    expect(extensionOfDevice('Stasis:x')).toBeNull();
  });
});
