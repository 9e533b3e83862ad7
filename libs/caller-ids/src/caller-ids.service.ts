import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { TrunksService } from '@pbx/trunks';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, rethrowUnique } from '@pbx/common';
import { CallerId } from './caller-id.entity';
import { CreateCallerIdDto } from './dto/create-caller-id.dto';

export interface CallerIdView {
  id: number;
  number: string;
  label: string;
  trunk_id: number | null;
  created_at: Date;
}

const view = (c: CallerId): CallerIdView => ({
  id: c.id,
  number: c.number,
  label: c.label,
  trunk_id: c.trunkId,
  created_at: c.createdAt,
});

@Injectable()
export class CallerIdsService implements OnModuleInit {
  private readonly logger = new Logger(CallerIdsService.name);

  constructor(
    @InjectRepository(CallerId) private readonly callerIds: Repository<CallerId>,
    private readonly trunks: TrunksService,
  ) {}

  onModuleInit(): void {
    this.trunks.registerReferrer({
      key: 'caller_ids',
      label: 'caller id(s)',
      count: (trunkId) => this.callerIds.count({ where: { trunkId } }),
    });
  }

  async create(dto: CreateCallerIdDto): Promise<CallerIdView> {
    const entity = this.callerIds.create({ number: dto.number, label: dto.label ?? '', trunkId: dto.trunk_id ?? null });
    const saved = await this.callerIds.save(entity).catch((error) => {
      if ((error as { driverError?: { constraint?: string } }).driverError?.constraint === 'fk_caller_ids_trunk') {
        throw DomainError.invalid('trunk_id', `trunk ${dto.trunk_id} does not exist`);
      }
      return rethrowUnique(error, 'caller id', { uq_caller_ids_number: 'number' }, () => dto.number);
    });
    this.logger.log(`caller id ${saved.number} created (id ${saved.id})`);
    return view(saved);
  }

  async list(): Promise<CallerIdView[]> {
    return (await this.callerIds.find({ order: { id: 'ASC' } })).map(view);
  }

  /** Whether a number is one of our caller ids (click-to-call may present only those). */
  isKnown(number: string): Promise<boolean> {
    return this.callerIds.exists({ where: { number } });
  }

  async remove(id: number): Promise<void> {
    const result = await this.callerIds.delete({ id });
    if (!result.affected) throw DomainError.notFound('caller id', id);
    this.logger.log(`caller id ${id} deleted`);
  }
}
