import { concatWavs, durationSeconds, parseWav, wavFile } from './wav';

const format = { sampleRate: 8000, channels: 1, bitsPerSample: 16 };
const pcm = (bytes: number, fill: number) => Buffer.alloc(bytes, fill);

describe('WAV segments', () => {
  it('reads back what it writes', () => {
    const wav = parseWav(wavFile({ format, pcm: pcm(16_000, 7) }));
    expect(wav.format).toEqual(format);
    expect(wav.pcm).toEqual(pcm(16_000, 7));
  });

  it('concatenates the PCM of segments in order and counts whole seconds', () => {
    const joined = concatWavs([wavFile({ format, pcm: pcm(16_000, 1) }), wavFile({ format, pcm: pcm(24_000, 2) })]);
    expect(joined.pcm.length).toBe(40_000);
    expect(joined.pcm[15_999]).toBe(1);
    expect(joined.pcm[16_000]).toBe(2);
    expect(durationSeconds(joined)).toBe(3); // 2.5 s rounds to 3
  });

  it('skips chunks before the data, and reads a data size never filled in to the end', () => {
    const file = wavFile({ format, pcm: pcm(100, 3) });
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('abcd')]);
    const withList = Buffer.concat([file.subarray(0, 36), list, file.subarray(36)]);
    withList.writeUInt32LE(0, 36 + list.length + 4);
    expect(parseWav(withList).pcm).toEqual(pcm(100, 3));
  });

  it('refuses what is not a PCM WAV, and segments of different formats', () => {
    expect(() => parseWav(Buffer.from('ID3 not a wav file'))).toThrow('not a WAV file');
    const other = wavFile({ format: { ...format, sampleRate: 16000 }, pcm: pcm(10, 0) });
    expect(() => concatWavs([wavFile({ format, pcm: pcm(10, 0) }), other])).toThrow('segments differ in format');
    expect(() => concatWavs([])).toThrow('no segments');
  });
});
