import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { clientAddress } from './client-address';
import { enforce, RateDecision, RateLimiter } from './rate-limiter';
import { RatePolicy } from './throttle-group';

/**
 * Limits per client address for what runs before (or without) a known token: public routes,
 * and requests whose token is missing, malformed or unknown. It runs before any database work,
 * so a flood of made-up tokens costs counters, not token lookups.
 */
@Injectable()
export class AddressGate {
  private readonly unauthenticated: RatePolicy;
  private readonly publicRoutes: RatePolicy;
  private readonly recordingNotFound: RatePolicy;

  constructor(
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.unauthenticated = { name: 'unauthenticated', limit: config.http.unauthenticatedLimit, windowMs: 60_000 };
    this.publicRoutes = { name: 'public', limit: config.http.publicLimit, windowMs: 60_000 };
    this.recordingNotFound = {
      name: 'recording-not-found',
      limit: config.http.recordingNotFoundLimit,
      windowMs: 60_000,
    };
  }

  /** /health, /metrics: a budget per address, so monitoring is never starved by a flood. */
  async publicRoute(request: Request, response: Response): Promise<void> {
    enforce(await this.limiter.consume(this.publicRoutes, clientAddress(request)), response);
  }

  /**
   * Reserves one request of the address's unauthenticated budget before a token is looked up
   * (429 when none is left). Reserving first keeps a concurrent flood from running more
   * lookups than the budget; `release` gives the slot back when the token was valid.
   */
  async reserve(request: Request, response: Response): Promise<void> {
    enforce(await this.limiter.consume(this.unauthenticated, clientAddress(request)), response);
  }

  release(request: Request): Promise<void> {
    return this.limiter.refund(this.unauthenticated, clientAddress(request));
  }

  /**
   * `reserve` for a request Express never sees (the stream's WebSocket upgrade): the caller
   * found the address and answers the refusal itself.
   */
  reserveAddress(address: string): Promise<RateDecision> {
    return this.limiter.consume(this.unauthenticated, address);
  }

  releaseAddress(address: string): Promise<void> {
    return this.limiter.refund(this.unauthenticated, address);
  }

  /**
   * Recording links: reserves one 404 of the address's budget before the token is looked up
   * (429 once the address has had its 404s this minute: guessing tokens stops there);
   * `recordingFound` gives it back, so successes do not count.
   */
  async reserveRecordingLookup(request: Request, response: Response): Promise<void> {
    enforce(await this.limiter.consume(this.recordingNotFound, clientAddress(request)), response);
  }

  recordingFound(request: Request): Promise<void> {
    return this.limiter.refund(this.recordingNotFound, clientAddress(request));
  }
}
