import WebSocket from 'ws';

/** One frame as a latency client keeps it: the event's fields and when it arrived. */
export interface Frame {
  id: string;
  type: string;
  call_uuid: string | null;
  occurred_at: string;
  /** Date.now() when the frame arrived */
  at: number;
}

const CALL_UUID = /"call_uuid":\s*"([0-9a-f-]{36})"/;

/**
 * A client of GET /api/pbx/events in the load generator's process (never the API's). A latency
 * client (`keep`) parses and keeps every frame with its arrival time; a memory client only
 * counts frames per call (a regex, no JSON parse: a thousand of them share one event loop).
 */
export class StreamClient {
  readonly frames: Frame[] = [];
  readonly perCall = new Map<string, number>();
  count = 0;
  closeCode: number | undefined;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    keep: boolean,
  ) {
    ws.on('message', (data) => {
      const at = Date.now();
      const text = String(data);
      this.count++;
      if (keep) {
        const event = JSON.parse(text) as Omit<Frame, 'at'>;
        this.frames.push({
          id: event.id,
          type: event.type,
          call_uuid: event.call_uuid,
          occurred_at: event.occurred_at,
          at,
        });
      }
      const call = CALL_UUID.exec(text)?.[1];
      if (call) this.perCall.set(call, (this.perCall.get(call) ?? 0) + 1);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve();
      }),
    );
  }

  /** Opens a stream with the token in `Authorization`; rejects with the refusal's status. */
  static connect(url: string, token: string, keep = false): Promise<StreamClient> {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const client = new StreamClient(ws, keep);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => reject(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks).toString()}`)));
      });
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }
}

/** Runs `task` for 0 … count-1, at most `concurrency` at a time. */
export async function inPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
