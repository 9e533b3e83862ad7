import Redis from 'ioredis';
import { CounterStore, CounterWindow, MemoryCounterStore } from './counter-store';

// INCR and the window's expiry in one round trip; PTTL tells the caller when the window ends
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }`;
const REFUND = `if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) then return redis.call('DECR', KEYS[1]) end return 0`;

/** Told when Redis goes away (counting falls back to this process) and when it returns. */
export interface FallbackListener {
  (state: { redisUp: boolean; fallbackHit: boolean }): void;
}

type ScriptedRedis = Redis & {
  pbxHit(key: string, windowMs: number): Promise<[number, number]>;
  pbxRefund(key: string): Promise<number>;
};

/**
 * Counters in Redis so API replicas share one budget. Redis being slow or away must not turn
 * requests into 500s or hang them: commands fail fast (no offline queue, a short command
 * timeout) and the count falls back to this process's own counters until Redis answers again.
 */
export class RedisCounterStore implements CounterStore {
  private readonly redis: ScriptedRedis;
  private readonly fallback = new MemoryCounterStore();

  constructor(
    url: string,
    private readonly listener: FallbackListener,
    commandTimeoutMs = 250,
  ) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 1_000,
      // keep trying to come back, at most every 2 s
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    }) as ScriptedRedis;
    // errors are reported per command through the fallback; this only keeps ioredis quiet
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('pbxHit', { numberOfKeys: 1, lua: HIT });
    this.redis.defineCommand('pbxRefund', { numberOfKeys: 1, lua: REFUND });
  }

  async hit(key: string, windowMs: number): Promise<CounterWindow> {
    try {
      const [count, ttl] = await this.redis.pbxHit(key, windowMs);
      this.listener({ redisUp: true, fallbackHit: false });
      return { count, resetMs: ttl };
    } catch {
      this.listener({ redisUp: false, fallbackHit: true });
      return this.fallback.hit(key, windowMs);
    }
  }

  async refund(key: string): Promise<void> {
    try {
      await this.redis.pbxRefund(key);
    } catch {
      await this.fallback.refund(key);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }
}
