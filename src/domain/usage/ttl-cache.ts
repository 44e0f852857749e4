/**
 * A per-process cache whose entries live at most `ttlMs` (the hot path keeps
 * it at or under one second), with concurrent loads of one key coalesced.
 * Exactness never depends on it: a batch re-reads keys, organizations and
 * users in SQL; the cache only spares reloading model catalogs.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly load: (key: string) => Promise<V>,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string): Promise<V> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = this.load(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key)); // a failed load is not cached
    if (this.entries.size > 10_000) this.sweep(now);
    return value;
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
  }
}
