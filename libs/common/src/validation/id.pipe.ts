import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';

/** Integer path ids: anything that is not a positive 32-bit integer names no resource, so 404. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  constructor(private readonly resource = 'resource') {}

  transform(value: string): number {
    if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
      throw DomainError.notFound(this.resource, String(value).slice(0, 40));
    }
    return Number(value);
  }
}
