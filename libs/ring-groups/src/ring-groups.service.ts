import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { DomainError, Referrer, rethrowUnique } from '@pbx/common';
import { ExtensionsService } from '@pbx/extensions';
import { RingGroup, RingStrategy } from './ring-group.entity';
import { CreateRingGroupDto, UpdateRingGroupDto } from './dto/ring-group.dto';

export interface RingGroupView {
  id: number;
  name: string;
  strategy: RingStrategy;
  members: string[];
  member_timeout: number;
  ring_timeout: number;
  created_at: Date;
  updated_at: Date;
}

/** A domain that points at ring groups (inbound routes): who points at one, for the 409 on delete. */
export interface RingGroupReferrer {
  referrersOf(ringGroupId: number): Promise<Referrer[]>;
}

const UNIQUE = { uq_ring_groups_name: 'name' };

@Injectable()
export class RingGroupsService implements OnModuleInit {
  private readonly referrers: RingGroupReferrer[] = [];
  private readonly logger = new Logger(RingGroupsService.name);

  constructor(
    @InjectRepository(RingGroup) private readonly groups: Repository<RingGroup>,
    private readonly extensions: ExtensionsService,
  ) {}

  onModuleInit(): void {
    this.extensions.registerReferrer({
      referrersOf: async (number) => {
        const rows = await this.groups.query<Array<{ id: number; name: string }>>(
          `SELECT id, name FROM ring_groups WHERE members @> ARRAY[$1]::text[] ORDER BY id`,
          [number],
        );
        return rows.map((g) => ({ type: 'ring_group', id: g.id, name: g.name }));
      },
    });
  }

  async create(dto: CreateRingGroupDto): Promise<RingGroupView> {
    await this.checkMembers(dto.members);
    const entity = this.groups.create({
      name: dto.name,
      strategy: dto.strategy ?? 'ringall',
      members: dto.members,
      memberTimeout: dto.member_timeout ?? 15,
      ringTimeout: dto.ring_timeout ?? 30,
    });
    const saved = await this.groups
      .save(entity)
      .catch((error) => rethrowUnique(error, 'ring group', UNIQUE, () => dto.name));
    this.logger.log(`ring group ${saved.id} "${saved.name}" created (${saved.strategy}: ${saved.members.join(', ')})`);
    return view(saved);
  }

  async list(): Promise<RingGroupView[]> {
    return (await this.groups.find({ order: { id: 'ASC' } })).map(view);
  }

  async get(id: number): Promise<RingGroupView> {
    return view(await this.find(id));
  }

  async update(id: number, dto: UpdateRingGroupDto): Promise<RingGroupView> {
    const group = await this.find(id);
    if (dto.members) await this.checkMembers(dto.members);
    const changes: Partial<RingGroup> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.strategy !== undefined) changes.strategy = dto.strategy;
    if (dto.members !== undefined) changes.members = dto.members;
    if (dto.member_timeout !== undefined) changes.memberTimeout = dto.member_timeout;
    if (dto.ring_timeout !== undefined) changes.ringTimeout = dto.ring_timeout;
    if (Object.keys(changes).length > 0) {
      await this.groups
        .update({ id }, changes)
        .catch((error) => rethrowUnique(error, 'ring group', UNIQUE, () => dto.name));
      this.logger.log(`ring group ${id} "${group.name}" updated (${Object.keys(changes).join(', ')})`);
    }
    return this.get(id);
  }

  /** Refused with 409 `in_use` while an inbound route sends calls to the group. */
  async remove(id: number): Promise<void> {
    const group = await this.find(id);
    const referrers = (await Promise.all(this.referrers.map((r) => r.referrersOf(id)))).flat();
    if (referrers.length > 0) throw DomainError.inUse(`ring group ${id}`, referrers);
    // the routes' foreign key still refuses a reference written meanwhile
    await this.groups.delete({ id }).catch(async (error) => {
      if (
        error instanceof QueryFailedError &&
        (error as { driverError?: { code?: string } }).driverError?.code === '23503'
      )
        throw DomainError.inUse(
          `ring group ${id}`,
          (await Promise.all(this.referrers.map((r) => r.referrersOf(id)))).flat(),
        );
      throw error;
    });
    this.logger.log(`ring group ${id} "${group.name}" deleted`);
  }

  /** Domains that point at ring groups register who points at one (see RingGroupReferrer). */
  registerReferrer(referrer: RingGroupReferrer): void {
    this.referrers.push(referrer);
  }

  /** The group, or null: for routing a call and for checking a route's destination. */
  async findById(id: number): Promise<RingGroup | null> {
    return this.groups.findOne({ where: { id } });
  }

  private async checkMembers(members: string[]): Promise<void> {
    const missing = await this.extensions.missingNumbers(members);
    if (missing.length > 0) throw DomainError.invalid('members', `extension(s) ${missing.join(', ')} do not exist`);
  }

  private async find(id: number): Promise<RingGroup> {
    const group = await this.findById(id);
    if (!group) throw DomainError.notFound('ring group', id);
    return group;
  }
}

function view(group: RingGroup): RingGroupView {
  return {
    id: group.id,
    name: group.name,
    strategy: group.strategy,
    members: group.members,
    member_timeout: group.memberTimeout,
    ring_timeout: group.ringTimeout,
    created_at: group.createdAt,
    updated_at: group.updatedAt,
  };
}
