import { recordingFile, tokenOfLinkFile } from './recording-files';

describe('recording link files', () => {
  const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

  it('takes the token of `<token>.mp3` and nothing else, so anything else is 404 before the database', () => {
    expect(tokenOfLinkFile(`${token}.mp3`)).toBe(token);
    for (const file of [token, `${token}.MP3`, `${token}.wav`, `${token}x.mp3`, `${token.slice(1)}.mp3`, '.mp3'])
      expect({ file, token: tokenOfLinkFile(file) }).toEqual({ file, token: null });
    expect(tokenOfLinkFile(`${token.slice(0, 42)}/.mp3`)).toBeNull();
    expect(tokenOfLinkFile(`${token.slice(0, 40)}%2F.mp3`)).toBeNull();
  });

  it('keeps the file under RECORDINGS_DIR', () => {
    expect(recordingFile('/srv/rec', token)).toBe(`/srv/rec/${token}.mp3`);
  });
});
