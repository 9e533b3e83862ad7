import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { FileHandle, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { AddressGate } from '@pbx/throttling';
import { Recording } from '../recording.entity';
import { ByteRange, parseByteRange } from './byte-range';
import { recordingFile, tokenOfLinkFile } from './recording-files';

/** The link never changes its bytes; a week in the listener's own cache spares re-downloads. */
const CACHE_CONTROL = 'private, max-age=604800, immutable';

interface OpenRecording {
  handle: FileHandle;
  size: number;
  etag: string;
  lastModified: string;
}

/**
 * Serves `GET|HEAD /recordings/<token>.mp3` without a token: 404 (one of the address's 404
 * budget) for anything but a `ready` recording whose file is there, else the MP3 streamed from
 * disk, whole or one byte range.
 */
@Injectable()
export class RecordingLinks {
  constructor(
    @InjectRepository(Recording) private readonly recordings: Repository<Recording>,
    private readonly gate: AddressGate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** GET answers one range of the file; HEAD ignores Range (RFC 9110: ranges are defined for GET only). */
  async serve(file: string, request: Request, response: Response, method: 'GET' | 'HEAD'): Promise<void> {
    await this.gate.reserveRecordingLookup(request, response);
    const recording = await this.open(file).catch(async (error: unknown) => {
      // the database is away (503): not a 404 of this address
      await this.gate.recordingFound(request);
      throw error;
    });
    if (!recording) throw new DomainError(ErrorCode.NotFound, 'no such recording');
    await this.gate.recordingFound(request);
    const { handle, size } = recording;
    try {
      const range: ByteRange = method === 'GET' ? this.rangeOf(request, recording) : { kind: 'whole' };
      response.setHeader('Accept-Ranges', 'bytes');
      response.setHeader('Cache-Control', CACHE_CONTROL);
      response.setHeader('ETag', recording.etag);
      response.setHeader('Last-Modified', recording.lastModified);
      // helmet's same-origin default would keep a CRM's <audio> on another origin from playing it
      response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      if (range.kind === 'unsatisfiable') {
        response.setHeader('Content-Range', `bytes */${size}`);
        throw new DomainError(ErrorCode.RangeNotSatisfiable, `the recording has ${size} bytes`, { size });
      }
      const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, size - 1];
      response.status(range.kind === 'part' ? 206 : 200);
      response.setHeader('Content-Type', 'audio/mpeg');
      response.setHeader('Content-Length', String(end - start + 1));
      if (range.kind === 'part') response.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      if (method === 'HEAD' || size === 0) {
        response.end();
        return;
      }
      // the stream owns the handle from here and closes it, also when the listener goes away
      const stream = handle.createReadStream({ start, end });
      recording.handle = undefined as unknown as FileHandle;
      await pipeline(stream, response).catch(() => undefined);
    } finally {
      await recording.handle?.close().catch(() => undefined);
    }
  }

  /** The recording behind a link's file name when it is ready and its file is there; else null. */
  private async open(file: string): Promise<OpenRecording | null> {
    const token = tokenOfLinkFile(file);
    if (token === null) return null;
    const recording = await this.recordings.findOne({ where: { token }, select: { token: true, status: true } });
    if (recording?.status !== 'ready') return null;
    let handle: FileHandle;
    try {
      handle = await open(recordingFile(this.config.recordings.dir, token), 'r');
    } catch {
      return null;
    }
    const stat = await handle.stat().catch(() => null);
    if (!stat?.isFile()) {
      await handle.close().catch(() => undefined);
      return null;
    }
    return {
      handle,
      size: stat.size,
      etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      lastModified: stat.mtime.toUTCString(),
    };
  }

  /** A Range under an If-Range naming another version of the file gets the whole file. */
  private rangeOf(request: Request, recording: OpenRecording): ByteRange {
    const ifRange = request.headers['if-range'];
    if (ifRange !== undefined && ifRange !== recording.etag && ifRange !== recording.lastModified)
      return { kind: 'whole' };
    return parseByteRange(request.headers.range, recording.size);
  }
}
