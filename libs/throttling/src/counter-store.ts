/** One fixed window of a counter: how many hits so far, and when the window ends. */
export interface CounterWindow {
  count: number;
  resetMs: number;
}

/** Where rate-limit counters live: this process, or Redis shared by the API replicas. */
export interface CounterStore {
  /** Adds one hit to `key`'s window, opening a window of `windowMs` on the first hit. */
  hit(key: string, windowMs: number): Promise<CounterWindow>;
  /** Takes back one hit (a slot reserved for a request that turned out not to count). */
  refund(key: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_KEYS = 100_000;

/**
 * Counters of this process. Bounded: expired windows are swept when the map grows past
 * MAX_KEYS, and if a flood of distinct keys still fills it the oldest windows go first.
 */
export class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, { count: number; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, windowMs: number): Promise<CounterWindow> {
    return Promise.resolve(this.hitNow(key, windowMs));
  }

  hitNow(key: string, windowMs: number): CounterWindow {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.expires <= now) {
      this.windows.delete(key);
      if (this.windows.size >= MAX_KEYS) this.evict(now);
      window = { count: 0, expires: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetMs: window.expires - now };
  }

  refund(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
    return Promise.resolve();
  }

  get size(): number {
    return this.windows.size;
  }

  close(): Promise<void> {
    this.windows.clear();
    return Promise.resolve();
  }

  private evict(now: number): void {
    for (const [key, window] of this.windows) if (window.expires <= now) this.windows.delete(key);
    // Map iteration is insertion order: the oldest windows leave first
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS * 0.9) break;
      this.windows.delete(key);
    }
  }
}
