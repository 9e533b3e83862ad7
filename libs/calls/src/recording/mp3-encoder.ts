import { spawn } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How long the encoder may take (a long call encodes in a few seconds). */
const ENCODE_TIMEOUT_MS = 120_000;

/**
 * Runs `encoder` (Debian's `lame`) with the WAV on stdin and the MP3 on stdout, mono, 32 kbit/s,
 * resampled to 32 kHz so that the file is MPEG-1 Layer III, which every player takes (8 kHz
 * telephone audio as it is would make an MPEG-2.5 file). Rejects with a short reason: the encoder missing, failing, or
 * giving nothing.
 */
export function encodeMp3(encoder: string, wav: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(encoder, ['--quiet', '-m', 'm', '--resample', '32', '-b', '32', '-', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let errors = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), ENCODE_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-300)));
    child.stdin.on('error', () => undefined); // an encoder that exits early: its exit status tells
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`encoder ${encoder} could not run: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const mp3 = Buffer.concat(out);
      if (code === 0 && mp3.length > 0) return resolve(mp3);
      const why = signal ? `killed by ${signal}` : `exit status ${code}`;
      reject(new Error(`encoder ${encoder} failed (${why})${errors.trim() ? `: ${errors.trim()}` : ''}`));
    });
    child.stdin.end(wav);
  });
}

/** Writes `<dir>/<name>` whole or not at all: a temporary file beside it, then a rename. */
export async function writeAtomically(dir: string, name: string, bytes: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const temporary = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  return path;
}
