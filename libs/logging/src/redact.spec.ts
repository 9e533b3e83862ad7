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

  it("hides a recording link's token, whatever its shape", () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';
    expect(redactUrl(`/recordings/${token}.mp3`)).toBe('/recordings/[redacted].mp3');
    expect(redactUrl(`/Recordings/${token}.MP3?x=1&token=2`)).toBe('/Recordings/[redacted].MP3?x=1&token=[redacted]');
    expect(redactUrl(`/recordings/${token}`)).toBe('/recordings/[redacted]');
    expect(redactUrl(`//recordings//${token}.mp3/more`)).toBe('//recordings//[redacted].mp3/more');
    expect(redactUrl('/api/pbx/calls/recordings/x')).toBe('/api/pbx/calls/recordings/x');
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
