import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '@pbx/common';

/** Delivery ids are bigint: any positive safe integer, anything else names no delivery (404). */
@Injectable()
export class DeliveryIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw DomainError.notFound('delivery', String(value).slice(0, 40));
    }
    return Number(value);
  }
}
