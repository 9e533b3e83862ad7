import { endpointOfChannelName } from './channel-name';

describe('endpointOfChannelName', () => {
  it.each([
    ['PJSIP/2001-0000001a', '2001'],
    ['PJSIP/trunk-4-00000003', 'trunk-4'],
    ['PJSIP/trunk-12-ffffffff', 'trunk-12'],
  ])('%s is endpoint %s', (name, endpoint) => {
    expect(endpointOfChannelName(name)).toBe(endpoint);
  });

  it.each([
    'Local/2001@pbx-internal-00000001;1',
    'PJSIP/2001',
    'PJSIP/-0000001a',
    'PJSIP/2001-1a',
    '',
    null,
    undefined,
  ])('%p names no PJSIP endpoint', (name) => {
    expect(endpointOfChannelName(name)).toBeNull();
  });
});
