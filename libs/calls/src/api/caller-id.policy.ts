import { Injectable } from '@nestjs/common';
import { DomainError } from '@pbx/common';
import { CallerIdsService } from '@pbx/caller-ids';
import { Extension } from '@pbx/extensions';

/**
 * The caller id the customer sees: the request's, else the extension's outbound_caller_id,
 * else the extension number. An explicit one must be ours: the extension's own number or
 * outbound caller id, or one of GET /api/pbx/caller-ids.
 */
@Injectable()
export class CallerIdPolicy {
  constructor(private readonly callerIds: CallerIdsService) {}

  async resolve(requested: string | undefined, extension: Extension): Promise<string> {
    if (requested === undefined) return extension.outboundCallerId ?? extension.number;
    if (requested === extension.number || requested === extension.outboundCallerId) return requested;
    if (!(await this.callerIds.isKnown(requested)))
      throw DomainError.invalid('caller_id', `caller id ${requested} is not one of GET /api/pbx/caller-ids`);
    return requested;
  }
}
