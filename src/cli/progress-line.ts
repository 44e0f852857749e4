/** Writes progress as one updating line on a terminal, or as periodic plain lines otherwise. */
export interface ProgressLine {
  update(done: number, total: number): void;
  /** Ends the line (TTY) or prints the last state (plain). */
  finish(): void;
  /** Prints a message without garbling the progress line. */
  note(message: string): void;
}

const WIDTH = 30;

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0 rows/s';
  if (perSecond >= 1_000_000) return `${(perSecond / 1_000_000).toFixed(1)}M rows/s`;
  if (perSecond >= 1_000) return `${(perSecond / 1_000).toFixed(1)}k rows/s`;
  return `${Math.round(perSecond)} rows/s`;
}

/** `[#####.....] 51234/100000 rows 12.3k rows/s` */
export function formatProgress(done: number, total: number, perSecond: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} rows ${formatRate(perSecond)}`;
}

export function createProgressLine(stream: NodeJS.WriteStream, options: { tty?: boolean; intervalMs?: number; now?: () => number } = {}): ProgressLine {
  const tty = options.tty ?? !!stream.isTTY;
  const interval = options.intervalMs ?? (tty ? 100 : 2_000);
  const now = options.now ?? (() => Date.now());
  let first: { t: number; done: number } | null = null;
  let lastPrint = -Infinity;
  let last = { done: 0, total: 0 };
  let open = false;
  let printed = -1;

  const render = () => {
    const t = now();
    const rate = first && t > first.t ? ((last.done - first.done) * 1000) / (t - first.t) : 0;
    const text = formatProgress(last.done, last.total, rate);
    if (tty) {
      stream.write(`\r${text}\x1b[K`);
      open = true;
    } else {
      stream.write(`${text}\n`);
    }
    lastPrint = t;
    printed = last.done;
  };

  return {
    update(done, total) {
      const t = now();
      first ??= { t, done };
      last = { done, total };
      // The first line is written at once: scripts (and tests) see the run has begun.
      if (t - lastPrint >= interval || lastPrint === -Infinity) render();
    },
    finish() {
      if (first && last.done !== printed) render();
      if (tty && open) stream.write('\n');
      open = false;
      first = null;
    },
    note(message) {
      if (tty && open) stream.write('\n');
      open = false;
      stream.write(`${message}\n`);
    },
  };
}
