import { EventEmitter } from 'node:events';
import { AriConnection, AriEvent } from './ari.connection';
import { ChannelEvent, ChannelEvents, transferRequestOf } from './channel-events';
import recorded from './channel-transfer.recorded.json';

const request = recorded.request as unknown as AriEvent;
const echo = recorded.echo as unknown as AriEvent;
const teardown = recorded.teardown as unknown as AriEvent;

/** the recorded request with its Refer-To user part replaced */
function referTo(destination: string): AriEvent {
  return { ...request, refer_to: { requested_destination: { destination } } };
}

describe("ChannelTransfer (a phone's REFER, ari-only), as Asterisk 22.10.1 sends it", () => {
  it("is a transfer request on the REFER's channel, the number asked for, and the party to keep", () => {
    expect(transferRequestOf(request)).toEqual({
      type: 'transfer_requested',
      channelId: '16a34d7f-87cd-40de-876e-b355165063c9',
      target: '2228066',
      requested: '2228066',
      replacesCallId: null,
      keptChannelId: 'test-pbx-26000-1796027991.0',
      bridgeId: '181ad1ac-621d-406f-ba7a-5c98ece39c74',
      at: new Date('2026-11-30T08:39:51.821Z'),
    });
  });

  it('is not a request when Asterisk echoes our transfer_progress (state set)', () => {
    expect(echo.state).toBe('channel_declined');
    expect(transferRequestOf(echo)).toBeNull();
  });

  it('repeated at teardown, has no party to keep', () => {
    expect(transferRequestOf(teardown)).toMatchObject({
      channelId: '2ec6f254-fc3c-4257-9767-3ce84b08f8ae',
      keptChannelId: null,
      bridgeId: null,
    });
  });

  it.each([
    ['2001', '2001'],
    ['+4930123456', '+4930123456'],
    ['12345678901234567890', '12345678901234567890'],
    ['123456789012345678901', null],
    ['2001;x=1', null],
    ['2001?X-A=b', null],
    ['abc', null],
    ['*72', null],
    ['++49', null],
    ['', null],
  ])('takes only a number as the target: %j → %j (the raw text stays in `requested`)', (destination, target) => {
    expect(transferRequestOf(referTo(destination))).toMatchObject({ target, requested: destination });
  });

  it("attended (Replaces): no target, the other call's Call-ID", () => {
    const attended = { ...request, refer_to: { requested_destination: { protocol_id: 'abc@host' } } };
    expect(transferRequestOf(attended)).toMatchObject({ target: null, requested: null, replacesCallId: 'abc@host' });
  });

  it('reaches listeners of the channel events', () => {
    const ari = new EventEmitter();
    const seen: ChannelEvent[] = [];
    new ChannelEvents(ari as unknown as AriConnection).on((event) => seen.push(event));
    ari.emit('ChannelTransfer', request);
    ari.emit('ChannelTransfer', echo);
    expect(seen.map((event) => event.type)).toEqual(['transfer_requested']);
  });
});
