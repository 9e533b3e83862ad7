import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@pbx/auth';
import { ApiErrors } from '@pbx/common';
import { RecordingLinks } from './recording-links.service';

const FILE = {
  name: 'file',
  description: 'the recording token (43 base64url characters) and `.mp3`, as in `recording_url`',
  example: 'q7Xw0P3v2bqk7mD1LrH4n9cS5aYfJtUeZgWx8oVdK1s.mp3',
};
const RANGE = {
  name: 'Range',
  required: false,
  description:
    'one byte range: `bytes=a-b`, `bytes=a-` or the last n bytes `bytes=-n`. Several ranges, another unit or a malformed value get the whole file (200).',
};
const MP3_HEADERS = {
  'Accept-Ranges': { description: '`bytes`', schema: { type: 'string' } },
  'Content-Length': { description: 'bytes in this answer', schema: { type: 'integer' } },
  'Cache-Control': { description: 'the bytes never change: cached for a week', schema: { type: 'string' } },
};
const NOT_FOUND: [404, string] = [
  404,
  'No such recording, or not ready yet (pending), failed, deleted by retention, or its file is gone (`not_found`). ' +
    'Each 404 spends one of the address’s RATE_LIMIT_RECORDING_NOT_FOUND (30 a minute).',
];
const LIMITED: [429, string] = [
  429,
  'The address had its 404s this minute (`rate_limited`); `Retry-After` says when to retry. Successes do not count.',
];
const UNSATISFIABLE: [416, string] = [
  416,
  'The range starts at or past the end (`range_not_satisfiable`); `Content-Range: bytes */<size>` gives the size.',
];
const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };
const MP3 = { 'audio/mpeg': { schema: { type: 'string', format: 'binary' } } };

/** The permanent public link of a recording: no token, the link is its own secret. */
@ApiTags('recordings')
@Public()
@Controller('recordings')
export class RecordingLinksController {
  constructor(private readonly links: RecordingLinks) {}

  @Get(':file')
  @ApiOperation({
    operationId: 'getRecording',
    summary: 'Download a recording',
    description:
      'The MP3 of a ready recording, streamed; no token (the unguessable link is the secret). 404 until the recording is ready.',
  })
  @ApiParam(FILE)
  @ApiHeader(RANGE)
  @ApiResponse({ status: 200, description: 'The whole MP3', headers: MP3_HEADERS, content: MP3 })
  @ApiResponse({
    status: 206,
    description: 'The asked byte range, with `Content-Range: bytes a-b/size`',
    headers: { ...MP3_HEADERS, 'Content-Range': { description: '`bytes a-b/size`', schema: { type: 'string' } } },
    content: MP3,
  })
  @ApiErrors(NOT_FOUND, UNSATISFIABLE, LIMITED)
  get(@Param('file') file: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    // Express also routes HEAD here
    return this.links.serve(file, request, response, request.method === 'HEAD' ? 'HEAD' : 'GET');
  }

  @Head(':file')
  @ApiOperation({
    operationId: 'headRecording',
    summary: 'Check a recording',
    description: 'The headers a GET of the whole file would answer (size), without the body; `Range` is ignored.',
  })
  @ApiParam(FILE)
  @ApiResponse({ status: 200, description: 'The recording is ready', headers: MP3_HEADERS })
  // a HEAD answer has no body: the GET's error bodies are left out
  @ApiResponse({ status: 404, description: NOT_FOUND[1] })
  @ApiResponse({ status: 429, description: LIMITED[1], headers: RETRY_AFTER })
  head(@Param('file') file: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.links.serve(file, request, response, 'HEAD');
  }
}
