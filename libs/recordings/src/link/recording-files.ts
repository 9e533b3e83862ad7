import { join } from 'node:path';
import { RECORDING_TOKEN } from '../recording-token';

/** Where the MP3 of a recording is: `${RECORDINGS_DIR}/<token>.mp3` (the worker writes it there). */
export function recordingFile(dir: string, token: string): string {
  return join(dir, `${token}.mp3`);
}

/** The token of a link's last path segment (`<token>.mp3`), or null when it cannot be one. */
export function tokenOfLinkFile(file: string): string | null {
  if (!file.endsWith('.mp3')) return null;
  const token = file.slice(0, -'.mp3'.length);
  return RECORDING_TOKEN.test(token) ? token : null;
}
