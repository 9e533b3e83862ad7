import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { DataSource } from 'typeorm';
import { Asterisk } from '@pbx/asterisk';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { ExtensionsService } from '@pbx/extensions';
import { RecordingRows, recordingUrl } from '@pbx/recordings';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallStateFunnel } from '../persistence/call-state.funnel';
import { CallsRepository } from '../persistence/calls.repository';
import { encodeMp3, writeAtomically } from './mp3-encoder';
import { concatWavs, durationSeconds, wavFile } from './wav';

/** a recording still pending this long after its call ended was left by a worker that stopped */
const ORPHAN_GRACE_SECONDS = 60;
/** pending recordings looked at per reconcile (live calls' among them) */
const PENDING_PER_RUN = 200;
/** MP3s made at once: each holds its WAVs in memory and runs an encoder; the others wait their turn */
const MAX_ENCODES = Math.max(1, Math.min(4, availableParallelism()));
/** a stored recording may take a moment to appear after its stop */
const FETCH_ATTEMPTS = 5;
const FETCH_RETRY_MS = 200;

/**
 * Recordings (SPEC section 3), worker side. Asterisk records the call's bridge (its id is the
 * call uuid) as WAV segments `<call_uuid>-<n>`: from the bridge on for a call that asks, and on
 * each API start; the token, and so the link, is assigned at the first start. Start, stop and
 * the end run inside the call's queue; once the call is over the segments are fetched through
 * ARI, joined, encoded to MP3 with `lame` on this host and written under RECORDINGS_DIR, outside
 * the queue. Then `pbx.recording.ready` or `pbx.recording.failed`: the call and its CDR are never
 * touched by a failure here.
 */
@Injectable()
export class CallRecorder implements OnModuleDestroy {
  private readonly logger = new Logger('recordings');
  /** post-processing still running, so shutdown and tests can wait for it */
  private readonly finishing = new Set<Promise<void>>();
  /** the calls whose MP3 is being made now */
  private readonly making = new Set<string>();
  private encoding = 0;
  private readonly waitingToEncode: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly recordings: RecordingRows,
    private readonly asterisk: Asterisk,
    private readonly extensions: ExtensionsService,
    private readonly funnel: CallStateFunnel,
    private readonly calls: CallsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * At the bridge: records the call if anything asks (the call's own `record`, decided when it
   * was created, or the extension that answered). A recording that cannot start is logged; the
   * call goes on.
   */
  async startIfWanted(call: Call, legs: readonly CallLeg[], calleeChannel: string): Promise<void> {
    try {
      if (!call.record && !(await this.answererAsks(legs, calleeChannel))) return;
      if (!call.record)
        await this.dataSource.query(`UPDATE calls SET record = true WHERE call_uuid = $1`, [call.callUuid]);
      await this.start(call.callUuid);
    } catch (error) {
      this.logger.error(`call ${call.callUuid}: recording did not start: ${messageOf(error)}`);
    }
  }

  private async answererAsks(legs: readonly CallLeg[], calleeChannel: string): Promise<boolean> {
    const extension = legs.find((l) => l.channelId === calleeChannel)?.extension;
    if (!extension) return false;
    return (await this.extensions.findByNumber(extension))?.record === 'always';
  }

  /** Whether the call's bridge is being recorded now. */
  async isRecording(callUuid: string): Promise<boolean> {
    return (await this.recordings.ofCall(callUuid))?.activeSegment != null;
  }

  /** Records the bridge as the next segment (assigning the token the first time); already recording: nothing. */
  async start(callUuid: string): Promise<void> {
    const known = await this.recordings.ofCall(callUuid);
    if (known?.activeSegment) return;
    const row = known ?? (await this.recordings.open(callUuid));
    const segment = `${callUuid}-${row.segments.length + 1}`;
    await this.asterisk.recordBridge(callUuid, segment);
    await this.recordings.segmentStarted(callUuid, segment);
    this.logger.log(`call ${callUuid}: recording segment ${segment}`);
  }

  /** Stops the segment being recorded (kept); false when none is. */
  async stop(callUuid: string): Promise<boolean> {
    const row = await this.recordings.ofCall(callUuid);
    if (!row?.activeSegment) return false;
    await this.asterisk.stopRecording(row.activeSegment);
    await this.recordings.segmentStopped(callUuid);
    this.logger.log(`call ${callUuid}: recording segment ${row.activeSegment} stopped`);
    return true;
  }

  /**
   * The call is over (before its bridge goes): the active segment is stopped, and the MP3 is
   * made in the background. A call never recorded: nothing.
   */
  async finish(callUuid: string): Promise<void> {
    const row = await this.recordings.ofCall(callUuid).catch(() => null);
    if (!row) return;
    if (row.activeSegment)
      await this.stop(callUuid).catch((error) => this.logger.warn(`call ${callUuid}: ${messageOf(error)}`));
    this.makeInBackground(callUuid, row.token, row.segments);
  }

  /**
   * Finishes the recordings a worker that stopped left `pending` (the reconciler calls this):
   * their WAVs are still stored in Asterisk, or the attempt fails them with
   * `pbx.recording.failed`; either way none stays pending for ever.
   */
  async resumeOrphans(): Promise<void> {
    const pending = await this.recordings.pending(PENDING_PER_RUN);
    const ended = await this.calls.endedBefore(
      pending.map((p) => p.callUuid),
      ORPHAN_GRACE_SECONDS,
    );
    for (const orphan of pending) {
      if (!ended.has(orphan.callUuid) || this.making.has(orphan.callUuid)) continue;
      this.logger.warn(`call ${orphan.callUuid}: recording left pending after the call ended; making its MP3 now`);
      if (orphan.activeSegment) await this.asterisk.stopRecording(orphan.activeSegment).catch(() => undefined); // gone with its bridge, usually
      this.makeInBackground(orphan.callUuid, orphan.token, orphan.segments);
    }
  }

  private makeInBackground(callUuid: string, token: string, segments: string[]): void {
    this.making.add(callUuid);
    const done = this.withEncodeSlot(() => this.makeMp3(callUuid, token, segments)).finally(() => {
      this.finishing.delete(done);
      this.making.delete(callUuid);
    });
    this.finishing.add(done);
  }

  /** Waits for the MP3s being made (shutdown), up to 10 s. */
  async onModuleDestroy(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.finishing]),
      new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
    ]);
    clearTimeout(timer);
  }

  /** Runs `task` once fewer than MAX_ENCODES are running; a finished one hands its slot to the next. */
  private async withEncodeSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.encoding < MAX_ENCODES) this.encoding++;
    else await new Promise<void>((resolve) => this.waitingToEncode.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waitingToEncode.shift();
      if (next) next();
      else this.encoding--;
    }
  }

  private async makeMp3(callUuid: string, token: string, segments: string[]): Promise<void> {
    const url = recordingUrl(this.config.recordings.publicBaseUrl, token);
    try {
      if (segments.length === 0) throw new Error('nothing was recorded');
      const files: Buffer[] = [];
      for (const segment of segments) files.push(await this.fetchSegment(segment));
      const wav = concatWavs(files);
      const mp3 = await encodeMp3(this.config.recordings.encoder, wavFile(wav));
      await writeAtomically(this.config.recordings.dir, `${token}.mp3`, mp3);
      const duration = durationSeconds(wav);
      // the status and its event in one transaction: whoever sees `ready` sees the event
      await this.funnel.appendEvent(
        callUuid,
        'pbx.recording.ready',
        { recording: { recording_url: url, duration } },
        (tx) => this.recordings.ready(token, duration, mp3.length, tx),
      );
      for (const segment of segments)
        await this.asterisk
          .deleteStoredRecording(segment)
          .catch((error) =>
            this.logger.warn(`call ${callUuid}: stored recording ${segment} not deleted: ${messageOf(error)}`),
          );
      this.logger.log(
        `call ${callUuid}: recording ready, ${duration} s, ${mp3.length} bytes (${segments.length} segments)`,
      );
    } catch (error) {
      const reason = messageOf(error).slice(0, 200);
      this.logger.error(`call ${callUuid}: recording failed: ${reason}`);
      try {
        await this.funnel.appendEvent(
          callUuid,
          'pbx.recording.failed',
          { recording: { recording_url: url, reason } },
          (tx) => this.recordings.failed(token, reason, tx),
        );
      } catch (inner) {
        this.logger.error(`call ${callUuid}: recording failure not recorded: ${messageOf(inner)}`);
      }
    }
  }

  private async fetchSegment(segment: string): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.asterisk.storedRecordingFile(segment);
      } catch (error) {
        if (attempt >= FETCH_ATTEMPTS)
          throw new Error(`segment ${segment} not fetched: ${messageOf(error)}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, FETCH_RETRY_MS * attempt));
      }
    }
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
