import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, In, Repository } from 'typeorm';
import type { ExtensionState } from '@pbx/call-events';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { DomainError, rethrowUnique } from '@pbx/common';
import { PjsipCache, RegistrationsService } from '@pbx/asterisk';
import { EntityRows } from '@pbx/database';
import { RecordPolicy } from '@pbx/recordings';
import { Extension, ExtensionOutbound } from './extension.entity';
import { ExtensionReferrer } from './extension-referrers';
import { CreateExtensionDto, UpdateExtensionDto } from './dto/extension.dto';
import { generateSipPassword, sipPasswordProblem } from './sip-password';

export interface ExtensionView {
  id: number;
  number: string;
  display_name: string;
  outbound_caller_id: string | null;
  status: string;
  outbound: ExtensionOutbound;
  auto_answer_allowed: boolean;
  record: RecordPolicy;
  /** live from Asterisk; null when Asterisk cannot be asked */
  registered: boolean | null;
  /** live state (SPEC section 3), kept by the worker */
  state: ExtensionState;
  /** when `state` last changed; null before its first change */
  state_changed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The answer to a create or update: `password` only when the PBX generated it (shown this once). */
export type SavedExtensionView = ExtensionView & { password?: string };

const UNIQUE = { uq_extensions_number: 'number' };

/** NOTIFY channel raised when extensions are created, changed or deleted (the worker's state watcher re-reads them). */
export const EXTENSIONS_CHANNEL = 'pbx_extensions';

@Injectable()
export class ExtensionsService {
  private readonly referrers: ExtensionReferrer[] = [];
  private readonly logger = new Logger(ExtensionsService.name);

  constructor(
    @InjectRepository(Extension) private readonly extensions: Repository<Extension>,
    private readonly registrations: RegistrationsService,
    private readonly pjsipCache: PjsipCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(dto: CreateExtensionDto): Promise<SavedExtensionView> {
    const realm = this.config.sip.realm;
    const { password, generated } = passwordFor(dto.number, dto.password);
    const entity = this.extensions.create({
      number: dto.number,
      displayName: dto.display_name ?? '',
      sipRealm: realm,
      md5Cred: md5Cred(dto.number, realm, password),
      outboundCallerId: dto.outbound_caller_id ?? null,
      status: dto.status ?? 'active',
      outbound: dto.outbound ?? 'denied',
      autoAnswerAllowed: dto.auto_answer_allowed ?? false,
      record: dto.record ?? 'never',
    });
    const saved = await this.extensions
      .save(entity)
      .catch((error) => rethrowUnique(error, 'extension', UNIQUE, () => dto.number));
    this.logger.log(
      `extension ${saved.number} created (id ${saved.id}, ${saved.status}${generated ? ', password generated' : ''})`,
    );
    await this.pjsipCache.expireExtension(saved.number);
    await this.notifyChanged();
    return withPassword((await this.views([saved]))[0], generated);
  }

  async list(): Promise<ExtensionView[]> {
    return this.views(await this.extensions.find({ order: { id: 'ASC' } }));
  }

  async get(id: number): Promise<ExtensionView> {
    return (await this.views([await this.find(id)]))[0];
  }

  async update(id: number, dto: UpdateExtensionDto): Promise<SavedExtensionView> {
    const extension = await this.find(id);
    const number = dto.number ?? extension.number;
    // md5_cred covers the number, so a new number without a password gets a generated one
    const renumbered = number !== extension.number;
    if (renumbered) await this.refuseInUse(extension);
    const { password, generated } =
      dto.password !== undefined || renumbered ? passwordFor(number, dto.password) : { password: undefined };
    const changes: Partial<Extension> = {};
    if (dto.number !== undefined) changes.number = dto.number;
    if (dto.display_name !== undefined) changes.displayName = dto.display_name;
    if (dto.outbound_caller_id !== undefined) changes.outboundCallerId = dto.outbound_caller_id;
    if (dto.status !== undefined) changes.status = dto.status;
    if (dto.outbound !== undefined) changes.outbound = dto.outbound;
    if (dto.auto_answer_allowed !== undefined) changes.autoAnswerAllowed = dto.auto_answer_allowed;
    if (dto.record !== undefined) changes.record = dto.record;
    if (password !== undefined) {
      changes.sipRealm = this.config.sip.realm;
      changes.md5Cred = md5Cred(number, this.config.sip.realm, password);
    }
    if (Object.keys(changes).length > 0) {
      await this.extensions
        .update({ id }, changes)
        .catch((error) => rethrowUnique(error, 'extension', UNIQUE, () => dto.number));
      this.logger.log(`extension ${number} updated (${changedFields(changes, generated)})`);
      // Asterisk caches the endpoint, auth and AOR: expire them (old and new number) before answering
      await this.pjsipCache.expireExtension(extension.number);
      if (number !== extension.number) await this.pjsipCache.expireExtension(number);
      await this.notifyChanged();
    }
    return withPassword(await this.get(id), generated);
  }

  async remove(id: number): Promise<void> {
    const extension = await this.find(id);
    await this.refuseInUse(extension);
    await this.extensions.delete({ id });
    await this.pjsipCache.expireExtension(extension.number);
    await this.notifyChanged();
    this.logger.log(`extension ${extension.number} deleted`);
  }

  /** The worker watches the extensions' state: a change is seen at once, not at its next re-read. */
  private async notifyChanged(): Promise<void> {
    await this.extensions.query(`SELECT pg_notify('${EXTENSIONS_CHANNEL}', '')`).catch((error: Error) => {
      this.logger.warn(
        `extensions changed, NOTIFY failed (the worker re-reads them within its interval): ${error.message}`,
      );
    });
  }

  /** The active extensions and their stored live state (the worker's state watcher). */
  async activeStates(): Promise<Array<{ number: string; state: ExtensionState }>> {
    return this.extensions.query(`SELECT number, state FROM extensions WHERE status = 'active' ORDER BY number`);
  }

  /**
   * Stores an extension's new live state in the caller's transaction (`manager`), only when it
   * changes: resolves with the state it had, or null when it already was `state` or there is no
   * such extension. The row is locked until the transaction ends, so two writers cannot both see
   * the same previous state.
   */
  async changeState(
    manager: EntityManager,
    number: string,
    state: ExtensionState,
    at: Date,
  ): Promise<ExtensionState | null> {
    // an UPDATE answers [rows, affected count] through TypeORM's query()
    const [rows]: [Array<{ previous: ExtensionState }>, number] = await manager.query(
      `UPDATE extensions e SET state = $2, state_changed_at = $3
         FROM (SELECT id, state FROM extensions WHERE number = $1 FOR UPDATE) previous
        WHERE e.id = previous.id AND previous.state <> $2
        RETURNING previous.state AS previous`,
      [number, state, at],
    );
    return rows[0]?.previous ?? null;
  }

  /** Domains that name extensions by number register who points at one (see ExtensionReferrer). */
  registerReferrer(referrer: ExtensionReferrer): void {
    this.referrers.push(referrer);
  }

  /** Which of `numbers` name no extension (active or disabled). */
  async missingNumbers(numbers: string[]): Promise<string[]> {
    if (numbers.length === 0) return [];
    const found = await this.extensions.find({ where: { number: In(numbers) }, select: { id: true, number: true } });
    return numbers.filter((n) => !found.some((e) => e.number === n));
  }

  /**
   * 409 while a ring group or inbound route names the number. (Nothing locks the number
   * between this check and the write: a group created in that instant names a number that no
   * longer exists, which the call flow skips like an unregistered member.)
   */
  private async refuseInUse(extension: Extension): Promise<void> {
    const referrers = (await Promise.all(this.referrers.map((r) => r.referrersOf(extension.number)))).flat();
    if (referrers.length > 0) throw DomainError.inUse(`extension ${extension.number}`, referrers);
  }

  /** On every click-to-call: plain SQL, cheaper than a TypeORM find. */
  async findActiveByNumber(number: string): Promise<Extension | null> {
    const rows = EntityRows.of(this.extensions.manager, Extension);
    return rows.findOne(this.extensions.manager, `number = $1 AND status = 'active'`, [number]);
  }

  /** Active or disabled: a number that is an extension's never reaches a trunk. */
  async findByNumber(number: string): Promise<Extension | null> {
    const rows = EntityRows.of(this.extensions.manager, Extension);
    return rows.findOne(this.extensions.manager, `number = $1`, [number]);
  }

  private async find(id: number): Promise<Extension> {
    const extension = await this.extensions.findOne({ where: { id } });
    if (!extension) throw DomainError.notFound('extension', id);
    return extension;
  }

  private async views(extensions: Extension[]): Promise<ExtensionView[]> {
    const registered = await this.registrations.registeredAors();
    return extensions.map((e) => ({
      id: e.id,
      number: e.number,
      display_name: e.displayName,
      outbound_caller_id: e.outboundCallerId,
      status: e.status,
      outbound: e.outbound,
      auto_answer_allowed: e.autoAnswerAllowed,
      record: e.record,
      registered: registered === null ? null : e.status === 'active' && registered.has(e.number),
      state: e.state,
      state_changed_at: e.stateChangedAt,
      created_at: e.createdAt,
      updated_at: e.updatedAt,
    }));
  }
}

/** The password to store: the one given, checked against the number, or a generated one. */
function passwordFor(number: string, given: string | undefined): { password: string; generated?: string } {
  if (given === undefined) {
    const generated = generateSipPassword(number);
    return { password: generated, generated };
  }
  const problem = sipPasswordProblem(given, number);
  if (problem) throw DomainError.invalid('password', problem);
  return { password: given };
}

function withPassword(view: ExtensionView, generated: string | undefined): SavedExtensionView {
  return generated === undefined ? view : { ...view, password: generated };
}

/** For the log: field names only, the credential as "password" (never its value or hash). */
function changedFields(changes: Partial<Extension>, generated: string | undefined): string {
  const fields = Object.keys(changes).filter((k) => k !== 'md5Cred' && k !== 'sipRealm');
  if (changes.md5Cred !== undefined) fields.push(generated === undefined ? 'password' : 'password generated');
  return fields.join(', ');
}

export function md5Cred(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest('hex');
}
