import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import type { Asterisk, DeviceStateChange, RegistrationsService } from '@pbx/asterisk';
import { stateOfDevice } from '@pbx/asterisk';
import type { ExtensionState } from '@pbx/call-events';
import type { AppConfig } from '@pbx/config';
import type { ExtensionsService } from '@pbx/extensions';
import type { ExtensionEvents } from '../persistence/extension-events';
import { ExtensionStateWatcher } from './extension-state.watcher';

jest.mock('@pbx/database', () => ({
  PgListenLink: class extends (jest.requireActual('node:events') as typeof import('node:events')).EventEmitter {
    start(): void {}
    stop(): void {}
  },
}));

/** The watcher against fakes of Asterisk, the contacts and the extensions table. */
function setup(
  table: Record<string, ExtensionState>,
  devices: Record<string, string>,
  registered: Set<string>,
  active = new Set(Object.keys(table)),
) {
  const ari = new EventEmitter();
  const subscribed = new Set<string>();
  const calls: string[] = [];
  const stored: Array<[string, ExtensionState, ExtensionState]> = [];
  const asterisk = {
    connected: true,
    onConnected: (listener: () => void) => ari.on('connected', listener),
    onDeviceStateChanged: (listener: (c: DeviceStateChange) => void) => ari.on('device', listener),
    subscribeDeviceState: (n: string) => Promise.resolve(void (subscribed.add(n), calls.push(`subscribe ${n}`))),
    unsubscribeDeviceState: (n: string) => Promise.resolve(void (subscribed.delete(n), calls.push(`unsubscribe ${n}`))),
    deviceState: (n: string) => Promise.resolve(devices[n] ?? 'INVALID'),
  } as unknown as Asterisk;
  const registrations = {
    onContactChange: () => undefined,
    registeredAorsNow: () => Promise.resolve(new Set(registered)),
  } as unknown as RegistrationsService;
  const extensions = {
    activeStates: () => Promise.resolve([...active].map((number) => ({ number, state: table[number] }))),
    changeState: (_m: unknown, number: string, state: ExtensionState) => {
      const previous = table[number];
      if (previous === undefined || previous === state) return Promise.resolve(null);
      table[number] = state;
      return Promise.resolve(previous);
    },
  } as unknown as ExtensionsService;
  const events = {
    stateChanged: (n: string, s: ExtensionState, p: ExtensionState) => ({ n, s, p }),
    store: (_m: unknown, e: { n: string; s: ExtensionState; p: ExtensionState }) =>
      Promise.resolve(void stored.push([e.n, e.p, e.s])),
  } as unknown as ExtensionEvents;
  const dataSource = { transaction: (work: (m: unknown) => unknown) => work({}) } as unknown as DataSource;
  const config = { databaseUrl: 'postgres://unused', extensionStateSyncMs: 3_600_000 } as AppConfig;
  const watcher = new ExtensionStateWatcher(asterisk, registrations, extensions, events, dataSource, config);
  const device = (extension: string, deviceState: string) =>
    ari.emit('device', { extension, deviceState, state: stateOfDevice(deviceState), at: new Date() });
  return { watcher, ari, subscribed, calls, stored, active, device };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('ExtensionStateWatcher', () => {
  let current: ExtensionStateWatcher | undefined;
  afterEach(async () => current?.onModuleDestroy());

  it('on connect subscribes every active extension and stores what the reads change', async () => {
    const t = setup(
      { '1001': 'unavailable', '1002': 'unavailable', '1003': 'in_call' },
      { '1001': 'UNAVAILABLE' },
      new Set(['1001']),
    );
    current = t.watcher;
    t.watcher.onModuleInit();
    await settle();
    expect([...t.subscribed].sort()).toEqual(['1001', '1002', '1003']);
    // 1001 registered, no call: idle; 1002 unknown to Asterisk: stays unavailable; 1003's call ended meanwhile
    expect(t.stored).toEqual(
      expect.arrayContaining([
        ['1001', 'unavailable', 'idle'],
        ['1003', 'in_call', 'unavailable'],
      ]),
    );
    expect(t.stored).toHaveLength(2);
  });

  it('a call: each device state change once, repeats and unwatched devices ignored', async () => {
    const t = setup({ '1001': 'idle' }, { '1001': 'UNAVAILABLE' }, new Set(['1001']));
    current = t.watcher;
    t.watcher.onModuleInit();
    await settle();
    for (const state of ['RINGING', 'RINGING', 'INUSE', 'ONHOLD', 'INUSE', 'UNAVAILABLE']) t.device('1001', state);
    t.device('9999', 'RINGING');
    await settle();
    expect(t.stored).toEqual([
      ['1001', 'idle', 'ringing'],
      ['1001', 'ringing', 'in_call'],
      ['1001', 'in_call', 'idle'],
    ]);
  });

  it('a new extension is subscribed at the next sync; a removed one unsubscribed and made unavailable', async () => {
    const t = setup(
      { '1001': 'idle', '1002': 'unavailable' },
      { '1001': 'UNAVAILABLE' },
      new Set(['1001', '1002']),
      new Set(['1001']),
    );
    current = t.watcher;
    t.watcher.onModuleInit();
    await settle();
    t.active.delete('1001'); // disabled
    t.active.add('1002'); // created (the API's NOTIFY, or the periodic re-read)
    t.watcher.sync(false);
    await settle();
    expect(t.calls).toEqual(['subscribe 1001', 'unsubscribe 1001', 'subscribe 1002']);
    expect(t.stored).toEqual(
      expect.arrayContaining([
        ['1001', 'idle', 'unavailable'],
        ['1002', 'unavailable', 'idle'],
      ]),
    );
    expect(t.stored).toHaveLength(2);
    t.device('1001', 'RINGING'); // no longer watched
    t.device('1002', 'RINGING');
    await settle();
    expect(t.stored.slice(2)).toEqual([['1002', 'idle', 'ringing']]);
  });

  it('a reconnection subscribes everything again', async () => {
    const t = setup({ '1001': 'idle' }, { '1001': 'UNAVAILABLE' }, new Set(['1001']));
    current = t.watcher;
    t.watcher.onModuleInit();
    await settle();
    t.ari.emit('connected');
    await settle();
    expect(t.calls).toEqual(['subscribe 1001', 'subscribe 1001']);
    expect(t.stored).toEqual([]);
  });
});
