import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DomainError, rethrowUnique } from '@pbx/common';
import { Trunk, TrunksService } from '@pbx/trunks';
import { OutboundRoute, OutboundRouteTrunk } from './outbound-route.entity';
import { CreateRouteDto, UpdateRouteDto } from './dto/route.dto';
import { compareSpecificity, dialNumber, matchesPrefix } from './route-match';

export interface RouteView {
  id: number;
  name: string;
  pattern: string;
  trunk_ids: number[];
  strip: number;
  prepend: string;
  created_at: Date;
  updated_at: Date;
}

export interface ResolvedRoute {
  route: OutboundRoute;
  /** active trunks of the route, in the order to try them */
  trunks: Trunk[];
  dialNumber: string;
}

const UNIQUE = { uq_outbound_routes_name: 'name', uq_outbound_routes_pattern: 'pattern' };

@Injectable()
export class RoutesService implements OnModuleInit {
  private readonly logger = new Logger(RoutesService.name);

  constructor(
    @InjectRepository(OutboundRoute) private readonly routes: Repository<OutboundRoute>,
    private readonly dataSource: DataSource,
    private readonly trunks: TrunksService,
  ) {}

  onModuleInit(): void {
    this.trunks.registerReferrer({
      key: 'routes',
      label: 'outbound route(s)',
      count: async (trunkId) =>
        Number(
          (
            await this.dataSource
              .getRepository(OutboundRouteTrunk)
              .createQueryBuilder('rt')
              .select('count(DISTINCT rt.route_id)', 'n')
              .where('rt.trunk_id = :trunkId', { trunkId })
              .getRawOne<{ n: string }>()
          )?.n ?? 0,
        ),
    });
  }

  async create(dto: CreateRouteDto): Promise<RouteView> {
    await this.checkTrunks(dto.trunk_ids);
    const route = this.routes.create({
      name: dto.name,
      pattern: dto.pattern,
      strip: dto.strip ?? 0,
      prepend: dto.prepend ?? '',
      trunks: dto.trunk_ids.map((trunkId, position) => Object.assign(new OutboundRouteTrunk(), { trunkId, position })),
    });
    const saved = await this.routes
      .save(route)
      .catch((error) => rethrowUnique(error, 'route', UNIQUE, (f) => (f === 'name' ? dto.name : dto.pattern)));
    this.logger.log(
      `route ${saved.id} "${saved.name}" created: ${saved.pattern || '(default)'} → trunks ${dto.trunk_ids.join(', ')}`,
    );
    return this.get(saved.id);
  }

  async list(): Promise<RouteView[]> {
    return (await this.routes.find({ order: { id: 'ASC' } })).map(view);
  }

  async get(id: number): Promise<RouteView> {
    return view(await this.find(id));
  }

  async update(id: number, dto: UpdateRouteDto): Promise<RouteView> {
    const route = await this.find(id);
    if (dto.trunk_ids) await this.checkTrunks(dto.trunk_ids);
    await this.dataSource
      .transaction(async (manager) => {
        const changes: Partial<OutboundRoute> = {};
        for (const key of ['name', 'pattern', 'strip', 'prepend'] as const) {
          if (dto[key] !== undefined) (changes as Record<string, unknown>)[key] = dto[key];
        }
        if (Object.keys(changes).length > 0) await manager.update(OutboundRoute, { id }, changes);
        if (dto.trunk_ids) {
          await manager.delete(OutboundRouteTrunk, { routeId: id });
          await manager.insert(
            OutboundRouteTrunk,
            dto.trunk_ids.map((trunkId, position) => ({ routeId: id, trunkId, position })),
          );
        }
      })
      .catch((error) => rethrowUnique(error, 'route', UNIQUE, (f) => (f === 'name' ? dto.name : dto.pattern)));
    this.logger.log(`route ${id} "${route.name}" updated`);
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    const route = await this.find(id);
    await this.routes.delete({ id });
    this.logger.log(`route ${id} "${route.name}" deleted`);
  }

  /** The most specific route matching `toPhone`, with its active trunks in order. */
  async resolve(toPhone: string): Promise<ResolvedRoute | null> {
    const candidates = (await this.routes.find())
      .filter((r) => matchesPrefix(r.pattern, toPhone))
      .sort((a, b) => compareSpecificity(a.pattern, b.pattern));
    for (const route of candidates) {
      const ordered = [...route.trunks].sort((a, b) => a.position - b.position).map((t) => t.trunkId);
      const active = await this.trunks.activeInOrder(ordered);
      if (active.length > 0)
        return { route, trunks: active, dialNumber: dialNumber(toPhone, route.strip, route.prepend) };
    }
    return null;
  }

  private async checkTrunks(ids: number[]): Promise<void> {
    const missing = await this.trunks.missing(ids);
    if (missing.length > 0) throw DomainError.invalid('trunk_ids', `trunk(s) ${missing.join(', ')} do not exist`);
  }

  private async find(id: number): Promise<OutboundRoute> {
    const route = await this.routes.findOne({ where: { id } });
    if (!route) throw DomainError.notFound('route', id);
    return route;
  }
}

function view(route: OutboundRoute): RouteView {
  return {
    id: route.id,
    name: route.name,
    pattern: route.pattern,
    trunk_ids: [...route.trunks].sort((a, b) => a.position - b.position).map((t) => t.trunkId),
    strip: route.strip,
    prepend: route.prepend,
    created_at: route.createdAt,
    updated_at: route.updatedAt,
  };
}
