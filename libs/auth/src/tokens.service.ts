import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { DomainError, ExpiringLru } from '@pbx/common';
import { EntityRows, preparedQuery } from '@pbx/database';
import { ApiToken } from './api-token.entity';
import { AuthContext, Scope } from './scope';
import { generateToken, hashToken } from './token-hash';
import { limitsOf } from './token-limits';
import { CreateTokenDto } from './dto/create-token.dto';

/** What generateToken() makes; anything else (but the configured bootstrap token) is refused unseen. */
const GENERATED_SHAPE = /^pbx_[A-Za-z0-9_-]{43}$/;
// a revoked token stops working within seconds without a query per request
const KNOWN_TTL_MS = 5_000;
// made-up tokens are remembered longer and in a bounded LRU: a flood cannot grow it or flush the known ones
const UNKNOWN_TTL_MS = 60_000;
const CACHE_ENTRIES = 10_000;
const LIMIT_FIELDS = ['extensions', 'trunk_ids', 'max_concurrent_calls'] as const;

@Injectable()
export class TokensService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TokensService.name);
  private readonly known = new ExpiringLru<string, AuthContext>(CACHE_ENTRIES, KNOWN_TTL_MS);
  private readonly unknown = new ExpiringLru<string, true>(CACHE_ENTRIES, UNKNOWN_TTL_MS);
  private readonly touched = new Map<number, number>();
  /** called for each token looked up in the database (a metric: flood pressure reaching PostgreSQL) */
  onLookup: () => void = () => undefined;

  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminToken)
      await this.ensureToken('bootstrap admin (PBX_ADMIN_TOKEN)', this.config.adminToken, ['admin']);
  }

  async ensureToken(name: string, token: string, scopes: Scope[]): Promise<void> {
    const tokenHash = hashToken(token);
    await this.tokens
      .createQueryBuilder()
      .insert()
      .values({ name, scopes, tokenHash, prefix: token.slice(0, 8) })
      .orIgnore()
      .execute();
    this.logger.log(`ensured admin token ${token.slice(0, 8)}…`);
  }

  async create(dto: CreateTokenDto): Promise<{ token: ApiToken; plaintext: string }> {
    const scopes = [...new Set(dto.scopes)];
    if (scopes.includes('admin')) {
      // an admin token passes every check anyway: a limit on it would only mislead its reader
      const field = LIMIT_FIELDS.find((f) => dto[f] !== undefined);
      if (field)
        throw DomainError.invalid(
          field,
          `${field} limits a calls token; a token with the admin scope cannot be limited`,
        );
    }
    const plaintext = generateToken();
    const saved = await this.tokens.save(
      this.tokens.create({
        name: dto.name,
        scopes,
        tokenHash: hashToken(plaintext),
        prefix: plaintext.slice(0, 8),
        extensions: dto.extensions ?? null,
        trunkIds: dto.trunk_ids ?? null,
        maxConcurrentCalls: dto.max_concurrent_calls ?? null,
      }),
    );
    this.unknown.clear();
    return { token: saved, plaintext };
  }

  list(): Promise<ApiToken[]> {
    return this.tokens.find({ order: { id: 'ASC' } });
  }

  async remove(id: number): Promise<void> {
    const result = await this.tokens.delete({ id });
    if (!result.affected) throw DomainError.notFound('token', id);
    this.known.clear();
  }

  /** Whether the string can be a token at all: the generated shape, or the bootstrap token. */
  acceptsShape(token: string): boolean {
    return GENERATED_SHAPE.test(token) || (this.config.adminToken !== undefined && token === this.config.adminToken);
  }

  /** A token seen valid in the last seconds, answered from memory (no database, no address budget). */
  recentlyVerified(token: string): AuthContext | undefined {
    return this.known.get(hashToken(token));
  }

  /** Resolves a bearer token to its scopes, or null when unknown. */
  async verify(token: string): Promise<AuthContext | null> {
    if (!this.acceptsShape(token)) return null;
    const tokenHash = hashToken(token);
    const known = this.known.get(tokenHash);
    if (known) return known;
    if (this.unknown.get(tokenHash)) return null;
    // plain SQL: this runs for every request whose token is not cached
    this.onLookup();
    const rows = EntityRows.of(this.tokens.manager, ApiToken);
    const row = await rows.findOne(this.tokens.manager, 'token_hash = $1', [tokenHash]);
    if (!row) {
      this.unknown.set(tokenHash, true);
      return null;
    }
    const context: AuthContext = { tokenId: row.id, scopes: row.scopes, limits: limitsOf(row) };
    this.known.set(tokenHash, context);
    this.touch(row.id);
    return context;
  }

  /**
   * Locks the token's row until `manager`'s transaction ends, serialising that token's call
   * inserts (max_concurrent_calls); false when the token is gone.
   */
  async lockForCallSlot(manager: EntityManager, tokenId: number): Promise<boolean> {
    const { rows } = await preparedQuery(manager, 'SELECT id FROM api_tokens WHERE id = $1 FOR UPDATE', [tokenId]);
    return rows.length > 0;
  }

  /** last_used_at is informative: written at most once a minute per token, never on the hot path. */
  private touch(id: number): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < 60_000) return;
    this.touched.set(id, now);
    void this.tokens.manager
      .query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, new Date(now)])
      .catch(() => undefined);
  }
}
