import type { WebSocket } from 'ws';
import { allowsCall, allowsExtension, AuthContext } from '@pbx/auth';
import type { LoggedEvent, StreamCursor } from '@pbx/calls';

/** WebSocket close code for a consumer that does not keep up (RFC 6455 "try again later"). */
export const CLOSE_SLOW_CONSUMER = 1013;
/** WebSocket close code when the API shuts down. */
export const CLOSE_GOING_AWAY = 1001;

export interface ConnectionLimits {
  /** bytes handed to the socket and not yet written out, past which the client is a slow consumer */
  bufferBytes: number;
}

/**
 * One client of the stream: where it is in the stored order, what its token may see, and its
 * send buffer. Frames are the stored events' JSON, in stored order, each sent once: `cursor`
 * only moves forward, past every event given to `deliver` (sent or not visible).
 */
export class StreamConnection {
  /** catching up from `since` (reading stored pages) until it joins the live feed */
  live = false;
  closed = false;
  lastPongAt = Date.now();
  frames = 0;

  constructor(
    readonly ws: WebSocket,
    readonly auth: AuthContext,
    public cursor: StreamCursor,
    private readonly limits: ConnectionLimits,
    private readonly onSlow: (connection: StreamConnection) => void,
  ) {
    ws.on('pong', () => (this.lastPongAt = Date.now()));
  }

  /** Whether the token may see this event (an unlimited token sees every event). */
  visible(event: LoggedEvent): boolean {
    const limits = this.auth.limits;
    if (!limits) return true;
    if (event.callUuid === null) return allowsExtension(limits, event.extension);
    return allowsCall(limits, { fromExtension: event.extension, trunkIds: event.trunkIds });
  }

  /** Sends the event if visible; a send that would overflow the buffer closes the connection with 1013 instead. */
  deliver(event: LoggedEvent): void {
    if (this.closed) return;
    this.cursor = event.cursor;
    if (!this.visible(event)) return;
    if (this.ws.bufferedAmount + Buffer.byteLength(event.json) > this.limits.bufferBytes) {
      this.close(CLOSE_SLOW_CONSUMER, 'slow consumer: send buffer full');
      this.onSlow(this);
      return;
    }
    this.ws.send(event.json);
    this.frames++;
  }

  /** Resolves once at most half the buffer is waiting (a catching-up reader reads its next page then), or the connection closed. */
  async drained(): Promise<void> {
    while (!this.closed && this.ws.bufferedAmount > this.limits.bufferBytes / 2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
