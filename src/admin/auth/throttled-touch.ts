import type { Store } from 'express-session';

/**
 * Makes `store.touch` write at most once per `everyMs` for each session on
 * this instance. express-session touches the store on every response of an
 * unmodified session (rolling idle timeout) and holds the response's last
 * bytes until that UPDATE has committed, so every panel request paid a
 * write and its WAL flush. Between two writes the row's expiry may lag the
 * cookie's by up to `everyMs`: a session left idle for the whole timeout can
 * end that much early, never late. Saves (a modified session) still write at
 * once; the first touch of a session on an instance always writes.
 */
export function throttleTouch(store: Store, everyMs: number, now: () => number = Date.now): void {
  const touch = store.touch?.bind(store);
  if (!touch) return;
  const destroy = store.destroy.bind(store);
  const last = new Map<string, number>();
  let prunedAt = 0;
  store.touch = (sid, session, callback) => {
    const at = now();
    const previous = last.get(sid);
    if (previous !== undefined && at - previous < everyMs) {
      callback?.();
      return;
    }
    // Sessions not touched for a whole interval are forgotten, in one pass at most once an interval.
    if (last.size >= 10_000 && at - prunedAt >= everyMs) {
      prunedAt = at;
      for (const [id, t] of last) if (at - t >= everyMs) last.delete(id);
    }
    last.set(sid, at);
    // The typings say the callback takes nothing; stores pass an error, and express-session reads it.
    const done = callback as ((err?: unknown) => void) | undefined;
    (touch as (sid: string, session: unknown, cb: (err?: unknown) => void) => void)(sid, session, (err) => {
      if (err) last.delete(sid);
      done?.(err);
    });
  };
  store.destroy = (sid, callback) => {
    last.delete(sid);
    destroy(sid, callback);
  };
}
