import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { DomainError, ErrorCode, rethrowUnique } from '@pbx/common';
import { Asterisk, PjsipCache, trunkEndpointId } from '@pbx/asterisk';
import { EntityRows } from '@pbx/database';
import { Trunk } from './trunk.entity';
import { CreateTrunkDto, UpdateTrunkDto } from './dto/trunk.dto';
import { addressesOfHost, canonicalInboundAddresses } from './inbound-addresses';

export interface TrunkView {
  id: number;
  name: string;
  host: string;
  port: number;
  transport: string;
  username: string | null;
  has_password: boolean;
  inbound_addresses: string[];
  status: string;
  created_at: Date;
  updated_at: Date;
}

const UNIQUE = { uq_trunks_name: 'name' };

/** A domain that points at trunks: how many references a trunk has there, for the 409 on delete. */
export interface TrunkReferrer {
  /** the key in the 409's details, e.g. caller_ids */
  key: string;
  /** what the message calls them, e.g. caller id(s) */
  label: string;
  count(trunkId: number): Promise<number>;
}

@Injectable()
export class TrunksService {
  private readonly referrers: TrunkReferrer[] = [];
  private readonly logger = new Logger(TrunksService.name);

  constructor(
    @InjectRepository(Trunk) private readonly trunks: Repository<Trunk>,
    private readonly asterisk: Asterisk,
    private readonly pjsipCache: PjsipCache,
  ) {}

  async create(dto: CreateTrunkDto): Promise<TrunkView> {
    checkAuthPair(dto.username ?? null, dto.password ?? null);
    const inboundAddresses = await inboundAddressesFor(dto.host, dto.inbound_addresses);
    const entity = this.trunks.create({
      name: dto.name,
      host: dto.host,
      port: dto.port ?? 5060,
      transport: dto.transport ?? 'udp',
      username: dto.username ?? null,
      password: dto.password ?? null,
      inboundAddresses,
      status: dto.status ?? 'active',
    });
    const saved = await this.trunks
      .save(entity)
      .catch((error) => rethrowUnique(error, 'trunk', UNIQUE, () => dto.name));
    this.logger.log(`trunk ${saved.id} "${saved.name}" created (${saved.host}:${saved.port}/${saved.transport})`);
    // the identify table is cached whole: a new trunk is matched only once it is refreshed
    await this.pjsipCache.expireTrunk(saved.id);
    return this.get(saved.id);
  }

  async list(): Promise<TrunkView[]> {
    return (await this.withPassword().orderBy('t.id', 'ASC').getMany()).map(view);
  }

  async get(id: number): Promise<TrunkView> {
    return view(await this.find(id));
  }

  async update(id: number, dto: UpdateTrunkDto): Promise<TrunkView> {
    const trunk = await this.find(id);
    const username = dto.username !== undefined ? dto.username : trunk.username;
    const password = dto.password !== undefined ? dto.password : trunk.password;
    checkAuthPair(username, password);
    const changes: Partial<Trunk> = {};
    for (const key of ['name', 'host', 'port', 'transport', 'username', 'password', 'status'] as const) {
      if (dto[key] !== undefined) (changes as Record<string, unknown>)[key] = dto[key];
    }
    // a new host brings its own addresses, unless the same request names them
    if (dto.inbound_addresses !== undefined || (dto.host !== undefined && dto.host !== trunk.host))
      changes.inboundAddresses = await inboundAddressesFor(dto.host ?? trunk.host, dto.inbound_addresses);
    if (Object.keys(changes).length > 0) {
      await this.trunks.update({ id }, changes).catch((error) => rethrowUnique(error, 'trunk', UNIQUE, () => dto.name));
      this.logger.log(`trunk ${id} updated (${Object.keys(changes).join(', ')})`);
      await this.pjsipCache.expireTrunk(id);
    }
    return this.get(id);
  }

  /** Refused with 409 while caller ids point at the trunk or calls are up on it. */
  async remove(id: number): Promise<void> {
    const trunk = await this.find(id);
    const liveChannels = await this.liveChannels(id);
    if (liveChannels.length > 0) {
      throw new DomainError(ErrorCode.InUse, `trunk ${id} carries ${liveChannels.length} live call leg(s)`, {
        channels: liveChannels.length,
      });
    }
    for (const referrer of this.referrers) {
      const count = await referrer.count(id);
      if (count > 0)
        throw new DomainError(ErrorCode.InUse, `trunk ${id} is used by ${count} ${referrer.label}`, {
          [referrer.key]: count,
        });
    }
    // the foreign keys of the referrers still refuse a reference written meanwhile
    await this.trunks.delete({ id }).catch((error) => {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23503')
        throw new DomainError(ErrorCode.InUse, `trunk ${id} is still referenced`, null);
      throw error;
    });
    this.logger.log(`trunk ${id} "${trunk.name}" deleted`);
    await this.pjsipCache.expireTrunk(id);
  }

  /**
   * Domains that point at trunks (caller ids, outbound routes) register how to count their
   * references, so this domain never reads their tables and they never read its.
   */
  registerReferrer(referrer: TrunkReferrer): void {
    this.referrers.push(referrer);
  }

  /** Every trunk's host (a name or an address): SIP bans never apply to a carrier. */
  async hosts(): Promise<string[]> {
    return (await this.trunks.find({ select: { id: true, host: true } })).map((trunk) => trunk.host);
  }

  /** Every trunk's inbound_addresses (CIDR blocks): SIP bans never apply to a carrier. */
  async inboundAddresses(): Promise<string[]> {
    const trunks = await this.trunks.find({ select: { id: true, inboundAddresses: true } });
    return trunks.flatMap((trunk) => trunk.inboundAddresses);
  }

  /** The active trunks among `ids`, in the order given. */
  async activeInOrder(ids: number[]): Promise<Trunk[]> {
    if (ids.length === 0) return [];
    const found = await this.trunks.find({ where: { id: In(ids), status: 'active' } });
    return ids.map((id) => found.find((t) => t.id === id)).filter((t): t is Trunk => !!t);
  }

  /** Which of `ids` name no trunk. */
  async missing(ids: number[]): Promise<number[]> {
    const found = await this.trunks.find({ where: { id: In(ids) }, select: { id: true } });
    return ids.filter((id) => !found.some((t) => t.id === id));
  }

  /** On every click-to-call with a trunk: plain SQL, cheaper than a TypeORM find. */
  async findActive(by: { id?: number; name?: string }): Promise<Trunk | null> {
    const rows = EntityRows.of(this.trunks.manager, Trunk);
    return by.id !== undefined
      ? rows.findOne(this.trunks.manager, `id = $1 AND status = 'active'`, [by.id])
      : rows.findOne(this.trunks.manager, `name = $1 AND status = 'active'`, [by.name]);
  }

  private async liveChannels(id: number): Promise<string[]> {
    if (!this.asterisk.connected) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        'cannot check live calls on the trunk: Asterisk (ARI) is unavailable',
      );
    }
    return this.asterisk.endpointChannels(trunkEndpointId(id));
  }

  private withPassword() {
    return this.trunks.createQueryBuilder('t').addSelect('t.password');
  }

  private async find(id: number): Promise<Trunk> {
    const trunk = await this.withPassword().where('t.id = :id', { id }).getOne();
    if (!trunk) throw DomainError.notFound('trunk', id);
    return trunk;
  }
}

function checkAuthPair(username: string | null, password: string | null): void {
  if ((username === null) !== (password === null)) {
    throw DomainError.invalid(
      username === null ? 'username' : 'password',
      'username and password go together for outbound auth',
    );
  }
}

/** The explicit list in its canonical form, else the addresses `host` resolves to now. */
async function inboundAddressesFor(host: string, explicit: string[] | undefined): Promise<string[]> {
  if (explicit !== undefined) return canonicalInboundAddresses(explicit);
  const resolved = await addressesOfHost(host);
  if (resolved.length === 0)
    throw DomainError.invalid(
      'host',
      `host ${host} does not resolve to an IPv4 address: give inbound_addresses (where the carrier's calls come from)`,
    );
  return resolved;
}

function view(trunk: Trunk): TrunkView {
  return {
    id: trunk.id,
    name: trunk.name,
    host: trunk.host,
    port: trunk.port,
    transport: trunk.transport,
    username: trunk.username,
    has_password: trunk.password !== null,
    inbound_addresses: trunk.inboundAddresses,
    status: trunk.status,
    created_at: trunk.createdAt,
    updated_at: trunk.updatedAt,
  };
}
