import { randomBytes } from 'node:crypto';

/** 32 random bytes as base64url (43 characters, 256 bits): unguessable, and safe in a URL path. */
export function newRecordingToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The shape of a token this PBX gives; anything else is 404 without a database read. */
export const RECORDING_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The permanent public link of a recording. */
export function recordingUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/recordings/${token}.mp3`;
}
