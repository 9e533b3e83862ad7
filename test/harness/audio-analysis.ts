/**
 * What a recording sounds like, in numbers: its loudness (RMS) and how much of it lies at given
 * frequencies (Goertzel), and the sine files the SIP test peer plays. Pure: the peer records
 * what a channel hears and hands the WAV here (sip-peer.ts, listen()).
 */

/** Mono samples scaled to [-1, 1). */
export interface Pcm {
  sampleRate: number;
  samples: Float64Array;
}

export interface AudioAnalysis {
  /** the samples analysed */
  durationMs: number;
  /** root mean square of the samples (a full-scale sine: 0.707; digital silence: 0) */
  rms: number;
  /** the mean power at `hz` (same unit as rms²: a sine of amplitude A alone gives A²/2) */
  energy: (hz: number) => number;
  /** energy(hz) / rms²: how much of the whole signal lies at `hz` (0 to about 1) */
  share: (hz: number) => number;
  /** the frequency (10 Hz steps, 100-3500 Hz) that holds most of the power, when one holds over half of it */
  dominant?: number;
}

/**
 * Reads a RIFF/WAVE file of 16-bit PCM (Asterisk's `wav`, 8 kHz, and `wav16`), any number of
 * channels (mixed down to one).
 */
export function parseWav(file: Buffer): Pcm {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let format: { channels: number; sampleRate: number; bits: number; code: number } | undefined;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        code: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAVE data before its fmt chunk');
      if (format.code !== 1 || format.bits !== 16) {
        throw new Error(`only 16-bit PCM WAVE is supported (format ${format.code}, ${format.bits} bits)`);
      }
      // a writer that never came back to fix the size (a recording cut short) leaves 0 or too much
      const end = size === 0 || body + size > file.length ? file.length : body + size;
      return { sampleRate: format.sampleRate, samples: pcm16(file.subarray(body, end), format.channels) };
    }
    offset = body + size + (size % 2); // chunks are padded to an even size
  }
  throw new Error('WAVE file without a data chunk');
}

/** Raw 16-bit little-endian signed linear (Asterisk's `sln`: 8 kHz). */
export function parseSlin(file: Buffer, sampleRate = 8000): Pcm {
  return { sampleRate, samples: pcm16(file, 1) };
}

function pcm16(bytes: Buffer, channels: number): Float64Array {
  const frames = Math.floor(bytes.length / (2 * channels));
  const samples = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += bytes.readInt16LE((i * channels + c) * 2);
    samples[i] = sum / channels / 32768;
  }
  return samples;
}

/**
 * A WAVE file (16-bit PCM, mono) of a sine: the test peer plays it to stand for a voice. With a
 * whole number of cycles (hz × seconds) it loops without a click.
 */
export function sineWav(
  hz: number,
  options: { seconds?: number; amplitude?: number; sampleRate?: number } = {},
): Buffer {
  const { seconds = 1, amplitude = 0.25, sampleRate = 8000 } = options;
  const frames = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) {
    const value = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
    data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(value * 32768))), i * 2);
  }
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16); // fmt chunk size
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * 2, 28); // bytes a second
  head.writeUInt16LE(2, 32); // bytes a frame
  head.writeUInt16LE(16, 34); // bits a sample
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** Block length of the analysis: 100 ms (bins about 20 Hz wide with the Hann window). */
const BLOCK_SECONDS = 0.1;

/**
 * Analyses mono samples. The power at a frequency is the mean over 100 ms Hann-windowed blocks
 * of a Goertzel filter's output, so a tone a few Hz off, or one that drops out for a moment,
 * still counts.
 */
export function analyse(pcm: Pcm): AudioAnalysis {
  const { samples, sampleRate } = pcm;
  let sumSquares = 0;
  for (const s of samples) sumSquares += s * s;
  const rms = samples.length ? Math.sqrt(sumSquares / samples.length) : 0;
  const blockLength = Math.max(1, Math.min(samples.length, Math.round(sampleRate * BLOCK_SECONDS)));
  const window = hann(blockLength);
  // a Hann window halves a sine's amplitude: sum(window) is the coherent gain
  const gain = window.reduce((a, b) => a + b, 0);
  const energy = (hz: number): number => {
    const blocks = Math.floor(samples.length / blockLength);
    if (blocks === 0) return 0;
    let total = 0;
    for (let b = 0; b < blocks; b++) {
      const magnitude = goertzel(samples, b * blockLength, blockLength, window, hz / sampleRate);
      const amplitude = (2 * magnitude) / gain;
      total += (amplitude * amplitude) / 2;
    }
    return total / blocks;
  };
  const share = (hz: number) => (rms > 0 ? energy(hz) / (rms * rms) : 0);
  let best = { hz: 0, energy: 0 };
  for (let hz = 100; hz <= Math.min(3500, sampleRate / 2 - 100); hz += 10) {
    const e = energy(hz);
    if (e > best.energy) best = { hz, energy: e };
  }
  const dominant = rms > 0 && best.energy / (rms * rms) > 0.5 ? best.hz : undefined;
  return { durationMs: (samples.length / sampleRate) * 1000, rms, energy, share, dominant };
}

function hann(length: number): Float64Array {
  const window = new Float64Array(length);
  if (length === 1) window[0] = 1;
  else for (let i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
  return window;
}

/** |X(f)| of samples[start, start + length) windowed, f in cycles per sample (need not be a whole bin). */
function goertzel(
  samples: Float64Array,
  start: number,
  length: number,
  window: Float64Array,
  cyclesPerSample: number,
): number {
  const omega = 2 * Math.PI * cyclesPerSample;
  const coefficient = 2 * Math.cos(omega);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < length; i++) {
    const s0 = samples[start + i] * window[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  // the power of the last state pair, valid for a non-integer bin too
  return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coefficient * s1 * s2));
}
