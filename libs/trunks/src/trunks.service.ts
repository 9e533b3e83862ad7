import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DomainError, ErrorCode, rethrowUnique } from '@pbx/common';
import { Asterisk, trunkEndpointId } from '@pbx/asterisk';
import { EntityRows } from '@pbx/database';
import { Trunk } from './trunk.entity';
import { CreateTrunkDto, UpdateTrunkDto } from './dto/trunk.dto';

export interface TrunkView {
  id: number;
  name: string;
  host: string;
  port: number;
  transport: string;
  username: string | null;
  has_password: boolean;
  status: string;
  created_at: Date;
  updated_at: Date;
}

const UNIQUE = { uq_trunks_name: 'name' };

@Injectable()
export class TrunksService {
  private readonly logger = new Logger(TrunksService.name);

  constructor(
    @InjectRepository(Trunk) private readonly trunks: Repository<Trunk>,
    private readonly dataSource: DataSource,
    private readonly asterisk: Asterisk,
  ) {}

  async create(dto: CreateTrunkDto): Promise<TrunkView> {
    checkAuthPair(dto.username ?? null, dto.password ?? null);
    const entity = this.trunks.create({
      name: dto.name,
      host: dto.host,
      port: dto.port ?? 5060,
      transport: dto.transport ?? 'udp',
      username: dto.username ?? null,
      password: dto.password ?? null,
      status: dto.status ?? 'active',
    });
    const saved = await this.trunks.save(entity).catch((error) => rethrowUnique(error, 'trunk', UNIQUE, () => dto.name));
    this.logger.log(`trunk ${saved.id} "${saved.name}" created (${saved.host}:${saved.port}/${saved.transport})`);
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
    if (Object.keys(changes).length > 0) {
      await this.trunks.update({ id }, changes).catch((error) => rethrowUnique(error, 'trunk', UNIQUE, () => dto.name));
      this.logger.log(`trunk ${id} updated (${Object.keys(changes).join(', ')})`);
    }
    return this.get(id);
  }

  /** Refused with 409 while caller ids point at the trunk or calls are up on it. */
  async remove(id: number): Promise<void> {
    const trunk = await this.find(id);
    const liveChannels = await this.liveChannels(id);
    if (liveChannels.length > 0) {
      throw new DomainError(ErrorCode.InUse, `trunk ${id} carries ${liveChannels.length} live call leg(s)`, { channels: liveChannels.length });
    }
    await this.dataSource.transaction(async (manager) => {
      const { count } = (await manager.query('SELECT count(*)::int AS count FROM caller_ids WHERE trunk_id = $1', [id]))[0];
      if (count > 0) {
        throw new DomainError(ErrorCode.InUse, `trunk ${id} is used by ${count} caller id(s)`, { caller_ids: count });
      }
      const routes = (await manager.query('SELECT count(DISTINCT route_id)::int AS count FROM outbound_route_trunks WHERE trunk_id = $1', [id]))[0].count;
      if (routes > 0) {
        throw new DomainError(ErrorCode.InUse, `trunk ${id} is used by ${routes} outbound route(s)`, { routes });
      }
      await manager.delete(Trunk, { id });
    });
    this.logger.log(`trunk ${id} "${trunk.name}" deleted`);
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
      throw new DomainError(ErrorCode.ServiceUnavailable, 'cannot check live calls on the trunk: Asterisk (ARI) is unavailable');
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
    throw DomainError.invalid(username === null ? 'username' : 'password', 'username and password go together for outbound auth');
  }
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
    status: trunk.status,
    created_at: trunk.createdAt,
    updated_at: trunk.updatedAt,
  };
}
