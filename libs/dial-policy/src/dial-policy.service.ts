import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DialPolicyRow } from './dial-policy.entity';
import { DialPolicy, DialPolicyDecision, dialPolicyDecision } from './dial-policy-decision';
import { DialPolicyDto } from './dto/dial-policy.dto';

export interface DialPolicyView {
  allowed_prefixes: string[];
  denied_prefixes: string[];
  updated_at: Date;
}

/**
 * How long a process trusts its copy of the policy. A PUT refreshes the copy of the API that
 * took it at once; other processes (the worker, other API instances) see it within this time.
 */
export const DIAL_POLICY_CACHE_MS = 5_000;

const ROW = 1;

@Injectable()
export class DialPolicyService {
  private readonly logger = new Logger(DialPolicyService.name);
  private cached: { policy: DialPolicy; at: number } | null = null;
  private loading: Promise<DialPolicy> | null = null;

  constructor(@InjectRepository(DialPolicyRow) private readonly rows: Repository<DialPolicyRow>) {}

  async get(): Promise<DialPolicyView> {
    return view(await this.read());
  }

  /** Replaces both lists. */
  async put(dto: DialPolicyDto): Promise<DialPolicyView> {
    await this.rows.upsert(
      { id: ROW, allowedPrefixes: dto.allowed_prefixes, deniedPrefixes: dto.denied_prefixes },
      { conflictPaths: ['id'] },
    );
    const row = await this.read();
    this.remember(row);
    this.logger.log(
      `dial policy replaced: ${row.allowedPrefixes.length} allowed, ${row.deniedPrefixes.length} denied prefix(es)`,
    );
    return view(row);
  }

  /**
   * May a call to `requested` go out through a trunk as `final` (after strip and prepend)?
   * See dialPolicyDecision. Reads the policy at most every DIAL_POLICY_CACHE_MS.
   */
  async check(requested: string, final: string): Promise<DialPolicyDecision> {
    return dialPolicyDecision(await this.policy(), requested, final);
  }

  private async policy(): Promise<DialPolicy> {
    if (this.cached && Date.now() - this.cached.at < DIAL_POLICY_CACHE_MS) return this.cached.policy;
    // one read for every check waiting on an expired copy
    this.loading ??= this.read()
      .then((row) => this.remember(row))
      .finally(() => (this.loading = null));
    return this.loading;
  }

  private remember(row: DialPolicyRow): DialPolicy {
    const policy = { allowedPrefixes: row.allowedPrefixes, deniedPrefixes: row.deniedPrefixes };
    this.cached = { policy, at: Date.now() };
    return policy;
  }

  /** The row; the migration writes it, but without it the policy is the default (both lists empty). */
  private async read(): Promise<DialPolicyRow> {
    return (
      (await this.rows.findOne({ where: { id: ROW } })) ??
      Object.assign(new DialPolicyRow(), { id: ROW, allowedPrefixes: [], deniedPrefixes: [], updatedAt: new Date(0) })
    );
  }
}

function view(row: DialPolicyRow): DialPolicyView {
  return { allowed_prefixes: row.allowedPrefixes, denied_prefixes: row.deniedPrefixes, updated_at: row.updatedAt };
}
