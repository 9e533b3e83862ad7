import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Asterisk, DeviceStateChange, RegistrationsService, stateOfDevice } from '@pbx/asterisk';
import { ExtensionState } from '@pbx/call-events';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { PgListenLink } from '@pbx/database';
import { EXTENSIONS_CHANNEL, ExtensionsService } from '@pbx/extensions';
import { ExtensionEvents } from '../persistence/extension-events';
import { ExtensionFacts, ExtensionStateTracker } from './extension-state';

/**
 * after a phone authenticates, the contacts are read this long after (the registrar stores the
 * contact just after the authentication), and once more a little later in case it was slow
 */
const CONTACT_READS_MS = [300, 1_500];

/**
 * Keeps `extensions.state` live (SPEC section 3, Live state), in the worker.
 *
 * On every (re)connection of ARI the Stasis app subscribes to `deviceState:PJSIP/<number>` of
 * every active extension and reads each one's state now (Asterisk forgets nothing it would
 * resend: what happened while we were away is only in the read). A change of the extensions
 * (NOTIFY from the API, and a re-read every EXTENSION_STATE_SYNC_MS as a backstop) subscribes
 * the new ones and unsubscribes the removed or disabled ones (those become `unavailable`).
 * Registration comes from the contacts (AMI ContactStatus, then PJSIPShowContacts): Asterisk's
 * device state of a realtime endpoint does not change on REGISTER (see liveState).
 *
 * Each extension's facts are applied one after the other (a queue per extension); a change of
 * the live state is stored with its `pbx.extension.state_changed` event in one transaction,
 * only when the stored state really changes.
 */
@Injectable()
export class ExtensionStateWatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('extension-state');
  private readonly tracker = new ExtensionStateTracker();
  /** subscribed on the current ARI connection */
  private readonly watched = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly settling = new Map<string, NodeJS.Timeout[]>();
  private syncing: Promise<void> | null = null;
  private syncAgain: { snapshot: boolean } | null = null;
  private timer?: NodeJS.Timeout;
  private listener?: PgListenLink;
  private stopped = false;

  constructor(
    private readonly asterisk: Asterisk,
    private readonly registrations: RegistrationsService,
    private readonly extensions: ExtensionsService,
    private readonly events: ExtensionEvents,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.asterisk.onConnected(() => {
      // a new connection (maybe a restarted Asterisk): subscribe everything again, read everything
      this.watched.clear();
      this.sync(true);
    });
    this.asterisk.onDeviceStateChanged((change) => this.onDeviceState(change));
    this.registrations.onContactChange((aor) => this.onContactChange(aor));
    this.listener = new PgListenLink(this.config.databaseUrl, EXTENSIONS_CHANNEL, 'extensions LISTEN');
    this.listener.on('notification', () => this.sync(false));
    this.listener.start();
    this.timer = setInterval(() => this.sync(false), this.config.extensionStateSyncMs);
    if (this.asterisk.connected) this.sync(true);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const timers of this.settling.values()) timers.forEach(clearTimeout);
    this.listener?.stop();
    await this.syncing;
    await Promise.allSettled([...this.queues.values()]);
  }

  /** Re-reads the extensions (and, with `snapshot`, every watched extension's state); never two at once. */
  sync(snapshot: boolean): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.syncAgain = { snapshot: snapshot || (this.syncAgain?.snapshot ?? false) };
      return;
    }
    this.syncing = this.syncOnce(snapshot)
      .catch((error: Error) => this.logger.warn(`extension state sync failed: ${error.message}`))
      .finally(() => {
        this.syncing = null;
        const again = this.syncAgain;
        this.syncAgain = null;
        if (again) this.sync(again.snapshot);
      });
  }

  private async syncOnce(snapshot: boolean): Promise<void> {
    if (!this.asterisk.connected) return;
    const active = await this.extensions.activeStates();
    const numbers = new Set(active.map((e) => e.number));
    for (const number of [...this.watched]) {
      if (numbers.has(number)) continue;
      await this.asterisk.unsubscribeDeviceState(number);
      this.watched.delete(number);
      // disabled (or deleted: then there is no row to change)
      this.enqueue(number, () => this.store(number, 'unavailable', new Date()).then(() => this.tracker.forget(number)));
    }
    const fresh: string[] = [];
    for (const { number, state } of active) {
      this.tracker.seed(number, state);
      if (this.watched.has(number)) continue;
      await this.asterisk.subscribeDeviceState(number);
      this.watched.add(number);
      fresh.push(number);
    }
    const registered = await this.registrations.registeredAorsNow();
    for (const number of snapshot ? [...this.watched] : fresh) {
      this.enqueue(number, async () => {
        const deviceState = await this.asterisk.deviceState(number);
        const device = stateOfDevice(deviceState);
        this.logger.debug(
          `extension ${number}: device ${deviceState}, registered ${registered ? String(registered.has(number)) : '?'} (read)`,
        );
        await this.apply(number, { device, ...(registered ? { registered: registered.has(number) } : {}) });
      });
    }
    if (!snapshot && registered)
      for (const number of this.watched)
        if (!fresh.includes(number))
          this.enqueue(number, () => this.apply(number, { registered: registered.has(number) }));
    if (fresh.length > 0) this.logger.log(`watching the device state of ${fresh.length} extension(s)`);
  }

  private onDeviceState(change: DeviceStateChange): void {
    if (!this.watched.has(change.extension)) return;
    this.logger.debug(`extension ${change.extension}: device ${change.deviceState}`);
    this.enqueue(change.extension, () => this.apply(change.extension, { device: change.state }, change.at));
  }

  /**
   * The contacts of `number` may have changed (null: AMI reconnected, any may have): read them
   * back shortly after the last of a burst of authentications (an un-REGISTER and the REGISTER
   * that follows it, each INVITE's), so the reads see where the burst ended.
   */
  private onContactChange(number: string | null): void {
    if (number === null) return this.sync(false);
    if (!this.watched.has(number)) return;
    this.settling.get(number)?.forEach(clearTimeout);
    const timers = CONTACT_READS_MS.map((ms, i) =>
      setTimeout(() => {
        if (i === CONTACT_READS_MS.length - 1) this.settling.delete(number);
        this.enqueue(number, async () => {
          const registered = await this.registrations.registeredAorsNow();
          this.logger.debug(
            `extension ${number}: registered ${registered ? String(registered.has(number)) : '?'} (after its authentication)`,
          );
          if (registered) await this.apply(number, { registered: registered.has(number) });
        });
      }, ms),
    );
    this.settling.set(number, timers);
  }

  private enqueue(number: string, task: () => Promise<void>): void {
    const previous = this.queues.get(number) ?? Promise.resolve();
    const next = previous
      .then(() => (this.stopped ? undefined : task()))
      .catch((error: Error) => this.logger.warn(`extension ${number}: state not updated: ${error.message}`));
    this.queues.set(number, next);
    void next.finally(() => {
      if (this.queues.get(number) === next) this.queues.delete(number);
    });
  }

  private async apply(number: string, facts: Partial<ExtensionFacts>, at = new Date()): Promise<void> {
    const state = this.tracker.next(number, facts);
    if (state !== null) await this.store(number, state, at);
  }

  /** The state and its event in one transaction, only when the stored state changes. */
  private async store(number: string, state: ExtensionState, at: Date): Promise<void> {
    const previous = await this.dataSource.transaction(async (manager) => {
      const previous = await this.extensions.changeState(manager, number, state, at);
      if (previous !== null) await this.events.store(manager, this.events.stateChanged(number, state, previous, at));
      return previous;
    });
    this.tracker.storedState(number, state);
    if (previous !== null) this.logger.log(`extension ${number}: ${previous} -> ${state}`);
  }
}
