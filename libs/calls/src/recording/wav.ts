/** The PCM format of a WAV file: what segments must share to be concatenated. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export interface Wav {
  format: PcmFormat;
  pcm: Buffer;
}

/**
 * Reads a PCM WAV file (what Asterisk's `wav` format writes: 8 kHz, 16 bit, mono). A `data`
 * chunk whose size was never filled in (a recording cut short) runs to the end of the file.
 */
export function parseWav(file: Buffer): Wav {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a WAV file');
  let format: PcmFormat | null = null;
  for (let at = 12; at + 8 <= file.length;) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (file.readUInt16LE(body) !== 1) throw new Error('WAV is not PCM');
      format = {
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bitsPerSample: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data before its format');
      const end = size === 0 || size === 0xffffffff || body + size > file.length ? file.length : body + size;
      return { format, pcm: file.subarray(body, end) };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV without data');
}

/** One WAV of the segments' PCM in order; they must share one format. */
export function concatWavs(files: readonly Buffer[]): Wav {
  if (files.length === 0) throw new Error('no segments');
  const wavs = files.map(parseWav);
  const format = wavs[0].format;
  for (const wav of wavs)
    if (
      wav.format.sampleRate !== format.sampleRate ||
      wav.format.channels !== format.channels ||
      wav.format.bitsPerSample !== format.bitsPerSample
    )
      throw new Error('segments differ in format');
  return { format, pcm: Buffer.concat(wavs.map((w) => w.pcm)) };
}

/** Whole seconds of audio. */
export function durationSeconds({ format, pcm }: Wav): number {
  const bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
  return Math.round(pcm.length / bytesPerSecond);
}

/** The WAV file of `wav`: a 44-byte header, then the PCM. */
export function wavFile({ format, pcm }: Wav): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(format.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
