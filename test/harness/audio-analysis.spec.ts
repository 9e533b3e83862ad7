import { analyse, parseSlin, parseWav, sineWav } from './audio-analysis';

const RATE = 8000;

/** 16-bit little-endian samples of a sum of sines, `seconds` long. */
function slin(tones: Array<{ hz: number; amplitude: number }>, seconds = 1, rate = RATE): Buffer {
  const frames = Math.round(seconds * rate);
  const bytes = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) {
    const value = tones.reduce((sum, t) => sum + t.amplitude * Math.sin((2 * Math.PI * t.hz * i) / rate), 0);
    bytes.writeInt16LE(Math.round(Math.max(-1, Math.min(32767 / 32768, value)) * 32768), i * 2);
  }
  return bytes;
}

/** A WAVE file as Asterisk writes it, with an extra chunk (odd size, padded) before the data. */
function wav(data: Buffer, rate = RATE, options: { bits?: number; dataSize?: number } = {}): Buffer {
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0);
  fmt.writeUInt16LE(1, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * 2, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(options.bits ?? 16, 14);
  const chunk = (id: string, body: Buffer, size = body.length) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(size, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    chunk('fmt ', fmt),
    chunk('LIST', Buffer.from('odd')),
    chunk('data', data, options.dataSize),
  ]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('audio analysis', () => {
  it('finds a 440 Hz sine: its RMS, its power at 440 Hz and none at 1000 Hz, 440 dominant', () => {
    const audio = analyse(parseWav(wav(slin([{ hz: 440, amplitude: 0.5 }]))));
    expect(audio.durationMs).toBeCloseTo(1000, 0);
    expect(audio.rms).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(audio.energy(440)).toBeCloseTo(0.125, 2);
    expect(audio.share(440)).toBeGreaterThan(0.95);
    expect(audio.share(1000)).toBeLessThan(0.001);
    expect(audio.dominant).toBe(440);
  });

  it('tells two tones apart by their power, and counts a tone a few Hz off', () => {
    const audio = analyse(
      parseSlin(
        slin([
          { hz: 443, amplitude: 0.1 },
          { hz: 1000, amplitude: 0.4 },
        ]),
      ),
    );
    expect(audio.energy(1000)).toBeCloseTo(0.08, 2);
    expect(audio.energy(440)).toBeGreaterThan(0.004);
    expect(audio.energy(440)).toBeLessThan(0.006);
    expect(audio.energy(1000) / audio.energy(440)).toBeGreaterThan(10);
    expect(audio.energy(700)).toBeLessThan(audio.energy(440) / 100);
    expect(audio.dominant).toBe(1000);
  });

  it('silence has no power and no dominant frequency; noise has power but no dominant frequency', () => {
    const silence = analyse(parseWav(wav(Buffer.alloc(RATE * 2))));
    expect(silence.rms).toBe(0);
    expect(silence.energy(440)).toBe(0);
    expect(silence.dominant).toBeUndefined();

    let seed = 1;
    const noise = Buffer.alloc(RATE * 2);
    for (let i = 0; i < RATE; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      noise.writeInt16LE(Math.round((seed / 2 ** 31 - 0.5) * 16000), i * 2);
    }
    const heard = analyse(parseWav(wav(noise)));
    expect(heard.rms).toBeGreaterThan(0.1);
    expect(heard.dominant).toBeUndefined();
    expect(heard.share(440)).toBeLessThan(0.05);
  });

  it('reads a WAVE whose data size was never written, and wav16', () => {
    const unsized = analyse(parseWav(wav(slin([{ hz: 1000, amplitude: 0.3 }]), RATE, { dataSize: 0 })));
    expect(unsized.durationMs).toBeCloseTo(1000, 0);
    expect(unsized.dominant).toBe(1000);
    const wide = parseWav(wav(slin([{ hz: 440, amplitude: 0.3 }], 0.5, 16000), 16000));
    expect(wide.sampleRate).toBe(16000);
    expect(analyse(wide).dominant).toBe(440);
  });

  it('writes a sine file that reads back as that sine', () => {
    const pcm = parseWav(sineWav(1000, { seconds: 2, amplitude: 0.3 }));
    expect(pcm.sampleRate).toBe(8000);
    expect(pcm.samples.length).toBe(16000);
    const audio = analyse(pcm);
    expect(audio.rms).toBeCloseTo(0.3 / Math.SQRT2, 3);
    expect(audio.dominant).toBe(1000);
    expect(audio.share(1000)).toBeGreaterThan(0.95);
    // a whole number of cycles: the last sample leads back into the first
    expect(Math.abs(pcm.samples[15999] - pcm.samples[0])).toBeLessThan(
      0.3 * Math.sin((2 * Math.PI * 1000) / 8000) + 1e-3,
    );
  });

  it('refuses what it cannot read', () => {
    expect(() => parseWav(Buffer.from('not a wave file at all'))).toThrow(/RIFF/);
    expect(() => parseWav(wav(Buffer.alloc(10), RATE, { bits: 8 }))).toThrow(/16-bit/);
  });
});
