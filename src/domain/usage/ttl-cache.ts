/**
 * A per-process cache whose entries live at most `ttlMs` (the hot path keeps
 * it at or under one second). Misses are gathered for one event-loop turn and
 * loaded together, one statement for all of them: traffic spread over many
 * organizations and users misses often, and a query per request would cost
 * more than the decision. Concurrent gets of one key share its load.
 * Exactness never depends on it: a batch re-reads keys, organizations and
 * users in SQL; the cache only spares reloading model catalogs.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();
  private waiting = new Map<string, { resolve: (v: V) => void; reject: (e: unknown) => void }>();

  /**
   * @param loadMany the values of several keys; a key it leaves out gets `missing`
   */
  constructor(
    private readonly ttlMs: number,
    private readonly loadMany: (keys: string[]) => Promise<Map<string, V>>,
    private readonly missing: V,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string): Promise<V> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = new Promise<V>((resolve, reject) => {
      if (!this.waiting.size) setImmediate(() => void this.loadWaiting());
      this.waiting.set(key, { resolve, reject });
    });
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key)); // a failed load is not cached
    if (this.entries.size > 10_000) this.sweep(now);
    return value;
  }

  private async loadWaiting(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    try {
      const found = await this.loadMany([...batch.keys()]);
      for (const [key, w] of batch) w.resolve(found.has(key) ? found.get(key)! : this.missing);
    } catch (e) {
      for (const w of batch.values()) w.reject(e);
    }
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
  }
}
