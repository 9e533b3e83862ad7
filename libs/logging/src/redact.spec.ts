import { redactUrl } from './redact';
import { addLogFields, currentLogFields, withLogFields } from './log-context';

describe('redactUrl', () => {
  it('hides the values of credential parameters, whatever their case or encoding', () => {
    expect(redactUrl('/api/pbx/events?access_token=pbx_abc&since=12')).toBe(
      '/api/pbx/events?access_token=[redacted]&since=12',
    );
    expect(redactUrl('/x?Secret=1&TOKEN=2&voip=3&api_key=u:p&password=4')).toBe(
      '/x?Secret=[redacted]&TOKEN=[redacted]&voip=[redacted]&api_key=[redacted]&password=[redacted]',
    );
    expect(redactUrl('/x?acc%65ss_token=pbx_abc')).toBe('/x?acc%65ss_token=[redacted]');
    expect(redactUrl('/x?tokens=1&t=2')).toBe('/x?tokens=1&t=2');
    expect(redactUrl('/no-query')).toBe('/no-query');
  });
});

describe('log context', () => {
  it('carries fields through async work and nests', async () => {
    await withLogFields({ call_uuid: 'c1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(currentLogFields()).toEqual({ call_uuid: 'c1' });
      await withLogFields({ leg_uuid: 'l1' }, async () =>
        expect(currentLogFields()).toEqual({ call_uuid: 'c1', leg_uuid: 'l1' }),
      );
      addLogFields({ request_id: 'r1' });
      expect(currentLogFields()).toEqual({ call_uuid: 'c1', request_id: 'r1' });
    });
    expect(currentLogFields()).toEqual({});
  });
});
