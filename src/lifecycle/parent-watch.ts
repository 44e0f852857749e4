/**
 * Calls `onGone` once the process that started us has gone (we were re-parented).
 * Under `npm start` that parent is npm: a process manager that stops npm means
 * the whole tree, and npm's exit must not leave a server re-parented to init.
 */
export function whenParentGone(onGone: () => void, intervalMs = 500): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
