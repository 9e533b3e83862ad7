import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import type { LoggedEvent } from '@pbx/calls';
import { isAfter } from '@pbx/calls';
import { CLOSE_SLOW_CONSUMER, StreamConnection } from './stream-connection';

/** A socket that keeps what it is sent and lets the test set how much waits in its buffer. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number): void {
    this.closedWith = code;
  }
  terminate(): void {}
}

let position = 0;
function event(fields: Partial<LoggedEvent> = {}): LoggedEvent {
  position++;
  return {
    cursor: { xact: '100', position: String(position) },
    id: `e${position}`,
    type: 'pbx.call.ringing',
    json: JSON.stringify({ id: `e${position}` }),
    callUuid: 'c1',
    extension: '1001',
    trunkIds: [],
    occurredAt: new Date(),
    ...fields,
  };
}

function connection(limits?: { extensions: string[] | null; trunkIds: number[] | null }, bufferBytes = 1000) {
  const socket = new FakeSocket();
  const slow: StreamConnection[] = [];
  const auth = {
    tokenId: 1,
    scopes: ['calls' as const],
    limits: limits ? { ...limits, maxConcurrentCalls: null } : undefined,
  };
  const conn = new StreamConnection(
    socket as unknown as WebSocket,
    auth,
    { xact: '0', position: '0' },
    { bufferBytes },
    (c) => slow.push(c),
  );
  return { socket, conn, slow };
}

describe('StreamConnection', () => {
  it('sends each event once and moves its cursor past every event, sent or not', () => {
    const { socket, conn } = connection({ extensions: ['1001'], trunkIds: null });
    const mine = event();
    const other = event({ extension: '2002' });
    conn.deliver(mine);
    conn.deliver(other);
    expect(socket.sent).toEqual([mine.json]);
    expect(conn.cursor).toEqual(other.cursor);
  });

  it('a limited token sees calls of its extensions and trunks, and extension events of its extensions', () => {
    const { conn } = connection({ extensions: ['1001'], trunkIds: [7] });
    expect(conn.visible(event())).toBe(true);
    expect(conn.visible(event({ trunkIds: [7] }))).toBe(true);
    expect(conn.visible(event({ trunkIds: [8] }))).toBe(false);
    expect(conn.visible(event({ extension: null }))).toBe(false); // an inbound call nobody answered yet
    expect(conn.visible(event({ callUuid: null, extension: '1001' }))).toBe(true);
    expect(conn.visible(event({ callUuid: null, extension: '1002' }))).toBe(false);
    expect(connection().conn.visible(event({ extension: null, trunkIds: [8] }))).toBe(true);
  });

  it('a send that would overflow the buffer closes with 1013 once, and nothing is sent after', () => {
    const { socket, conn, slow } = connection(undefined, 100);
    socket.bufferedAmount = 90;
    conn.deliver(event({ json: 'x'.repeat(20) }));
    conn.deliver(event());
    expect(socket.sent).toEqual([]);
    expect(socket.closedWith).toBe(CLOSE_SLOW_CONSUMER);
    expect(slow).toHaveLength(1);
  });

  it('drained() waits while more than half the buffer is waiting', async () => {
    const { socket, conn } = connection(undefined, 100);
    socket.bufferedAmount = 80;
    let done = false;
    const waiting = conn.drained().then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    socket.bufferedAmount = 40;
    await waiting;
    expect(done).toBe(true);
  });
});

describe('stream order (isAfter)', () => {
  it('orders by the writing transaction, then by position, as numbers', () => {
    expect(isAfter({ xact: '10', position: '1' }, { xact: '9', position: '500' })).toBe(true);
    expect(isAfter({ xact: '10', position: '5' }, { xact: '10', position: '4' })).toBe(true);
    expect(isAfter({ xact: '10', position: '4' }, { xact: '10', position: '4' })).toBe(false);
    expect(isAfter({ xact: '9', position: '900' }, { xact: '10', position: '1' })).toBe(false);
    expect(isAfter({ xact: '100000000000', position: '1' }, { xact: '99999999999', position: '2' })).toBe(true);
  });
});
