import { Asterisk } from './asterisk';
import { AriError } from './ari/ari-error';

/** A stand-in for the ARI link that records requests and answers as told. */
function fakeAri(answer: (method: string, path: string) => unknown = () => null) {
  const requests: string[] = [];
  const ari = {
    appName: 'pbx',
    connected: true,
    on: () => undefined,
    rest: async (method: string, path: string, query: Record<string, unknown> = {}, body?: unknown) => {
      requests.push(
        `${method} ${path}${Object.keys(query).length ? ` ${JSON.stringify(query)}` : ''}${body ? ` body ${JSON.stringify(body)}` : ''}`,
      );
      const result = answer(method, path);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { ari, requests };
}

const config = { ari: { app: 'pbx' } } as never;

describe('Asterisk facade', () => {
  it('creates a leg in our app with our id and Stasis arguments, then dials it, retrying while it is not in Stasis yet', async () => {
    let dials = 0;
    const { ari, requests } = fakeAri((method, path) =>
      path.endsWith('/dial') && ++dials < 3 ? new AriError(409, 'Channel not in Stasis application') : null,
    );
    await new Asterisk(ari as never, config).createAndDial({
      channelId: 'leg-1',
      endpoint: 'PJSIP/1001',
      leg: 'a',
      callUuid: 'call-1',
      variables: { 'TIMEOUT(absolute)': '60' },
      timeoutSeconds: 30,
    });
    expect(requests[0]).toContain('POST /channels/create');
    // a REFER from the leg's phone is ours to decide (ari-only), never a transfer by Asterisk
    expect(requests[0]).toContain(
      'body {"variables":{"TIMEOUT(absolute)":"60","PJSIP_TRANSFER_HANDLING()":"ari-only"}}',
    );
    expect(requests[0]).toContain('"appArgs":"a,call-1"');
    expect(requests[0]).toContain('"channelId":"leg-1"');
    expect(requests.slice(1)).toEqual(Array(3).fill('POST /channels/leg-1/dial {"timeout":30}'));
  });

  it('does not retry a dial refused for another reason', async () => {
    const { ari } = fakeAri((_, path) => (path.endsWith('/dial') ? new AriError(404, 'Channel not found') : null));
    await expect(
      new Asterisk(ari as never, config).createAndDial({
        channelId: 'x',
        endpoint: 'PJSIP/1',
        leg: 'a',
        callUuid: 'c',
        variables: {},
        timeoutSeconds: 5,
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('hangs up with the ARI reason for a Q.850 cause, and a channel already gone is not an error', async () => {
    const { ari, requests } = fakeAri(() => new AriError(404, 'Channel not found'));
    await new Asterisk(ari as never, config).hangupWithCause('leg-1', 17);
    expect(requests).toEqual(['DELETE /channels/leg-1 {"reason":"busy"}']);
  });

  it('holds a party for the other: mutes the holder before the music starts, and undoes it music first', async () => {
    const { ari, requests } = fakeAri();
    const asterisk = new Asterisk(ari as never, config);
    await asterisk.holdParty('agent', 'customer');
    await asterisk.unholdParty('agent', 'customer');
    expect(requests).toEqual([
      'POST /channels/agent/mute {"direction":"in"}',
      'POST /channels/customer/moh {"mohClass":"default"}',
      'DELETE /channels/customer/moh',
      'DELETE /channels/agent/mute {"direction":"in"}',
    ]);
  });

  it('bridges with our id and subscribes device states one extension at a time', async () => {
    const { ari, requests } = fakeAri();
    const asterisk = new Asterisk(ari as never, config);
    await asterisk.bridge('call-1', ['a', 'b']);
    await asterisk.subscribeDeviceState('1001');
    expect(requests).toEqual([
      'POST /bridges {"type":"mixing","bridgeId":"call-1","name":"call-call-1"}',
      'POST /bridges/call-1/addChannel {"channel":"a,b"}',
      'POST /applications/pbx/subscription {"eventSource":"deviceState:PJSIP/1001"}',
    ]);
  });

  it("answers a phone's transfer request with ARI's transfer_progress states; a channel already gone is not an error", async () => {
    const { ari, requests } = fakeAri((_, path) =>
      path.startsWith('/channels/gone') ? new AriError(404, 'Channel not found') : null,
    );
    const asterisk = new Asterisk(ari as never, config);
    await asterisk.transferProgress('leg-b', 'trying');
    await asterisk.transferProgress('leg-b', 'succeeded');
    await asterisk.transferProgress('leg-b', 'declined');
    await asterisk.transferProgress('leg-b', 'unavailable');
    await asterisk.transferProgress('gone', 'declined');
    expect(requests).toEqual([
      'POST /channels/leg-b/transfer_progress {"states":"channel_progress"}',
      'POST /channels/leg-b/transfer_progress {"states":"channel_answered"}',
      'POST /channels/leg-b/transfer_progress {"states":"channel_declined"}',
      'POST /channels/leg-b/transfer_progress {"states":"channel_unavailable"}',
      'POST /channels/gone/transfer_progress {"states":"channel_declined"}',
    ]);
  });

  it('passes on other refusals of transfer_progress', async () => {
    const { ari } = fakeAri(() => new AriError(409, 'Channel not in Stasis application'));
    await expect(new Asterisk(ari as never, config).transferProgress('x', 'trying')).rejects.toMatchObject({
      kind: 'not_in_stasis',
    });
  });
});
