import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { DomainError, rethrowUnique } from '@pbx/common';
import { PjsipCache, RegistrationsService } from '@pbx/asterisk';
import { EntityRows } from '@pbx/database';
import { Extension } from './extension.entity';
import { CreateExtensionDto, UpdateExtensionDto } from './dto/extension.dto';
import { generateSipPassword, sipPasswordProblem } from './sip-password';

export interface ExtensionView {
  id: number;
  number: string;
  display_name: string;
  outbound_caller_id: string | null;
  status: string;
  /** live from Asterisk; null when Asterisk cannot be asked */
  registered: boolean | null;
  created_at: Date;
  updated_at: Date;
}

/** The answer to a create or update: `password` only when the PBX generated it (shown this once). */
export type SavedExtensionView = ExtensionView & { password?: string };

const UNIQUE = { uq_extensions_number: 'number' };

@Injectable()
export class ExtensionsService {
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
    });
    const saved = await this.extensions
      .save(entity)
      .catch((error) => rethrowUnique(error, 'extension', UNIQUE, () => dto.number));
    this.logger.log(
      `extension ${saved.number} created (id ${saved.id}, ${saved.status}${generated ? ', password generated' : ''})`,
    );
    await this.pjsipCache.expireExtension(saved.number);
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
    const { password, generated } =
      dto.password !== undefined || renumbered ? passwordFor(number, dto.password) : { password: undefined };
    const changes: Partial<Extension> = {};
    if (dto.number !== undefined) changes.number = dto.number;
    if (dto.display_name !== undefined) changes.displayName = dto.display_name;
    if (dto.outbound_caller_id !== undefined) changes.outboundCallerId = dto.outbound_caller_id;
    if (dto.status !== undefined) changes.status = dto.status;
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
    }
    return withPassword(await this.get(id), generated);
  }

  async remove(id: number): Promise<void> {
    const extension = await this.find(id);
    await this.extensions.delete({ id });
    await this.pjsipCache.expireExtension(extension.number);
    this.logger.log(`extension ${extension.number} deleted`);
  }

  /** On every click-to-call: plain SQL, cheaper than a TypeORM find. */
  async findActiveByNumber(number: string): Promise<Extension | null> {
    const rows = EntityRows.of(this.extensions.manager, Extension);
    return rows.findOne(this.extensions.manager, `number = $1 AND status = 'active'`, [number]);
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
      registered: registered === null ? null : e.status === 'active' && registered.has(e.number),
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
