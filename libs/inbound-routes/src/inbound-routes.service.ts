import { RecordPolicy } from '@pbx/recordings';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, IsNull, QueryFailedError, Repository } from 'typeorm';
import { DomainError, ErrorCode, Referrer } from '@pbx/common';
import { ExtensionsService } from '@pbx/extensions';
import { TrunksService } from '@pbx/trunks';
import { RingGroupsService, RingStrategy } from '@pbx/ring-groups';
import { InboundRoute } from './inbound-route.entity';
import { CreateInboundRouteDto, UpdateInboundRouteDto } from './dto/inbound-route.dto';
import { InboundDestination, InboundDestinationDto } from './dto/inbound-destination.dto';
import { matchInboundRoute, normalizeDid } from './inbound-route-match';

export interface InboundRouteView {
  id: number;
  did: string;
  trunk_id: number | null;
  destination: InboundDestination;
  ring_timeout: number;
  record: RecordPolicy;
  created_at: Date;
  updated_at: Date;
}

/** Where the worker sends a call from a carrier (see InboundRoutesService.resolve). */
export interface ResolvedInboundRoute {
  routeId: number;
  /**
   * Seconds to ring before giving up: the route's ring_timeout for an extension; for a ring
   * group the smaller of the route's and the group's own (SPEC §2, "Ring groups").
   */
  ringTimeout: number;
  /** the route asks for its calls to be recorded */
  record: boolean;
  destination:
    | { type: 'extension'; number: string }
    | {
        type: 'ring_group';
        id: number;
        name: string;
        strategy: RingStrategy;
        /** extension numbers in ringing order, as stored (any may since be disabled or unregistered) */
        members: string[];
        /** seconds each member rings (sequential) */
        memberTimeout: number;
        /** the group's own ring_timeout (the effective bound is `ringTimeout` above) */
        ringTimeout: number;
      };
}

const FIELD_OF_FOREIGN_KEY: Record<string, string> = {
  fk_inbound_routes_trunk: 'trunk_id',
  fk_inbound_routes_ring_group: 'destination.id',
};

@Injectable()
export class InboundRoutesService implements OnModuleInit {
  private readonly logger = new Logger(InboundRoutesService.name);

  constructor(
    @InjectRepository(InboundRoute) private readonly routes: Repository<InboundRoute>,
    private readonly extensions: ExtensionsService,
    private readonly ringGroups: RingGroupsService,
    private readonly trunks: TrunksService,
  ) {}

  onModuleInit(): void {
    const referrers = async (where: FindOptionsWhere<InboundRoute>): Promise<Referrer[]> =>
      (await this.routes.find({ where, order: { id: 'ASC' } })).map((r) => ({
        type: 'inbound_route',
        id: r.id,
        name: label(r),
      }));
    this.extensions.registerReferrer({ referrersOf: (number) => referrers({ destinationExtension: number }) });
    this.ringGroups.registerReferrer({ referrersOf: (id) => referrers({ destinationRingGroupId: id }) });
    this.trunks.registerReferrer({
      key: 'inbound_routes',
      label: 'inbound route(s)',
      count: (trunkId) => this.routes.count({ where: { trunkId } }),
    });
  }

  async create(dto: CreateInboundRouteDto): Promise<InboundRouteView> {
    const trunkId = dto.trunk_id ?? null;
    await this.checkTrunk(trunkId);
    await this.checkDestination(dto.destination);
    const entity = this.routes.create({
      did: dto.did,
      trunkId,
      ...destinationColumns(dto.destination),
      ringTimeout: dto.ring_timeout ?? 30,
      record: dto.record ?? 'never',
    });
    const saved = await this.routes.save(entity).catch((error) => rethrow(error, dto.did, trunkId));
    this.logger.log(`inbound route ${saved.id} created: ${label(saved)} → ${describe(saved)}`);
    return this.get(saved.id);
  }

  async list(): Promise<InboundRouteView[]> {
    return (await this.routes.find({ order: { id: 'ASC' } })).map(view);
  }

  async get(id: number): Promise<InboundRouteView> {
    return view(await this.find(id));
  }

  async update(id: number, dto: UpdateInboundRouteDto): Promise<InboundRouteView> {
    const route = await this.find(id);
    if (dto.trunk_id !== undefined) await this.checkTrunk(dto.trunk_id);
    if (dto.destination !== undefined) await this.checkDestination(dto.destination);
    const changes: Partial<InboundRoute> = {};
    if (dto.did !== undefined) changes.did = dto.did;
    if (dto.trunk_id !== undefined) changes.trunkId = dto.trunk_id;
    if (dto.destination !== undefined) Object.assign(changes, destinationColumns(dto.destination));
    if (dto.ring_timeout !== undefined) changes.ringTimeout = dto.ring_timeout;
    if (dto.record !== undefined) changes.record = dto.record;
    if (Object.keys(changes).length > 0) {
      await this.routes
        .update({ id }, changes)
        .catch((error) =>
          rethrow(error, changes.did ?? route.did, changes.trunkId !== undefined ? changes.trunkId : route.trunkId),
        );
      this.logger.log(`inbound route ${id} updated (${Object.keys(changes).join(', ')})`);
    }
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    const route = await this.find(id);
    await this.routes.delete({ id });
    this.logger.log(`inbound route ${id} (${label(route)}) deleted`);
  }

  /**
   * For the worker, once per call from a carrier: the route of `did` (the Request-URI user)
   * from trunk `trunkId` by matchInboundRoute's precedence, with its destination; null when no
   * route matches (the carrier gets cause 1).
   */
  async resolve(did: string, trunkId: number): Promise<ResolvedInboundRoute | null> {
    const dids = In([...new Set([normalizeDid(did), ''])]);
    const candidates = await this.routes.find({
      where: [
        { didNorm: dids, trunkId },
        { didNorm: dids, trunkId: IsNull() },
      ],
    });
    const route = matchInboundRoute(candidates, did, trunkId);
    if (!route) return null;
    if (route.destinationType === 'extension')
      return {
        routeId: route.id,
        ringTimeout: route.ringTimeout,
        record: route.record === 'always',
        destination: { type: 'extension', number: route.destinationExtension! },
      };
    // the foreign key keeps the group while the route names it
    const group = await this.ringGroups.findById(route.destinationRingGroupId!);
    if (!group) return null;
    return {
      routeId: route.id,
      ringTimeout: Math.min(route.ringTimeout, group.ringTimeout),
      record: route.record === 'always',
      destination: {
        type: 'ring_group',
        id: group.id,
        name: group.name,
        strategy: group.strategy,
        members: group.members,
        memberTimeout: group.memberTimeout,
        ringTimeout: group.ringTimeout,
      },
    };
  }

  private async checkTrunk(trunkId: number | null): Promise<void> {
    if (trunkId !== null && (await this.trunks.missing([trunkId])).length > 0)
      throw DomainError.invalid('trunk_id', `trunk ${trunkId} does not exist`);
  }

  private async checkDestination(destination: InboundDestinationDto): Promise<void> {
    if (destination.type === 'extension') {
      if ((await this.extensions.missingNumbers([destination.number!])).length > 0)
        throw DomainError.invalid('destination.number', `extension ${destination.number} does not exist`);
    } else if (!(await this.ringGroups.findById(destination.id!))) {
      throw DomainError.invalid('destination.id', `ring group ${destination.id} does not exist`);
    }
  }

  private async find(id: number): Promise<InboundRoute> {
    const route = await this.routes.findOne({ where: { id } });
    if (!route) throw DomainError.notFound('inbound route', id);
    return route;
  }
}

function destinationColumns(
  destination: InboundDestinationDto,
): Pick<InboundRoute, 'destinationType' | 'destinationExtension' | 'destinationRingGroupId'> {
  return destination.type === 'extension'
    ? { destinationType: 'extension', destinationExtension: destination.number!, destinationRingGroupId: null }
    : { destinationType: 'ring_group', destinationExtension: null, destinationRingGroupId: destination.id! };
}

/** A duplicate (did, trunk) is 409; a trunk or ring group deleted since it was checked is 422 naming it. */
function rethrow(error: unknown, did: string, trunkId: number | null): never {
  const driver = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
  if (
    error instanceof QueryFailedError &&
    driver?.code === '23505' &&
    driver.constraint === 'uq_inbound_routes_did_trunk'
  )
    throw new DomainError(ErrorCode.Duplicate, 'an inbound route for this did and trunk already exists', [
      {
        field: 'did',
        message: `${did === '' ? 'any number' : `did ${JSON.stringify(did)}`} already has a route ${trunkId === null ? 'for any trunk' : `on trunk ${trunkId}`}`,
      },
    ]);
  if (error instanceof QueryFailedError && driver?.code === '23503' && driver.constraint! in FIELD_OF_FOREIGN_KEY)
    throw DomainError.invalid(FIELD_OF_FOREIGN_KEY[driver.constraint!], 'does not exist');
  throw error;
}

function label(route: InboundRoute): string {
  return `${route.did === '' ? 'any number' : route.did}${route.trunkId === null ? '' : ` on trunk ${route.trunkId}`}`;
}

function describe(route: InboundRoute): string {
  return route.destinationType === 'extension'
    ? `extension ${route.destinationExtension}`
    : `ring group ${route.destinationRingGroupId}`;
}

function view(route: InboundRoute): InboundRouteView {
  return {
    id: route.id,
    did: route.did,
    trunk_id: route.trunkId,
    destination:
      route.destinationType === 'extension'
        ? { type: 'extension', number: route.destinationExtension! }
        : { type: 'ring_group', id: route.destinationRingGroupId! },
    ring_timeout: route.ringTimeout,
    record: route.record,
    created_at: route.createdAt,
    updated_at: route.updatedAt,
  };
}
