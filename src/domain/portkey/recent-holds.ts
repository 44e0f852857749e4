import type { ReservationByKey } from '../usage/find-reservation-by-key.js';

/**
 * The holds this process's before hooks made, by organization and request key,
 * so that the after hook of the same request (normally on the same instance:
 * one gateway, one Realmgate behind a load balancer with keep-alive) finds its
 * reservation without a database round trip on the hot path's small pool.
 *
 * Only a shortcut: a miss (another instance made the hold, the entry was
 * evicted, or this process restarted) falls back to the lookup in SQL, and the
 * settle itself is decided in the batch against the row, so exactness never
 * depends on this map. An entry is taken (removed) by the after hook; entries
 * never taken (the gateway skipped the after hook) leave after their hold's
 * expiry, and the oldest go first when the map is full.
 */
export class RecentHolds {
  private readonly entries = new Map<string, { hold: ReservationByKey; expiresAt: number }>();

  constructor(private readonly maxEntries = 50_000, private readonly clock: () => number = Date.now) {}

  remember(organizationId: string, key: string, hold: ReservationByKey, expiresAt: string): void {
    const k = `${organizationId}\u0000${key}`;
    this.entries.delete(k); // re-inserted last: Map order is insertion order, the oldest first
    this.entries.set(k, { hold, expiresAt: Date.parse(expiresAt) });
    if (this.entries.size > this.maxEntries) this.evict();
  }

  /** The hold remembered for this organization and key, removed from the map; null when unknown here. */
  take(organizationId: string, key: string): ReservationByKey | null {
    const k = `${organizationId}\u0000${key}`;
    const e = this.entries.get(k);
    if (!e) return null;
    this.entries.delete(k);
    return e.hold;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.clock();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}
