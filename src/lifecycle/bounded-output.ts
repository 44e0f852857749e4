/**
 * Writes to stdout or stderr that can never block the process or keep it alive.
 *
 * pino's default destination (sonic-boom) retries EAGAIN without end and, at
 * exit, flushes synchronously, sleeping on a futex between tries: with a pipe
 * that nobody reads any more the process then never exits. Here, text goes
 * through Node's own stream for the descriptor (non-blocking on pipes and
 * sockets: libuv queues what the kernel refuses), the queue is bounded (beyond
 * it, lines are dropped and counted), and the first error (EPIPE, a peer that
 * is gone) turns the output off for good.
 *
 * Lines written in one turn of the event loop go out in one write, at the end
 * of that turn, or once more at exit for the last turn's lines (one write,
 * never retried or waited on): at info level the API logs a line per request,
 * and a write per line was a system call per request, for this process and
 * for whoever reads the pipe (bench:usage, LOG_LEVEL=info against warn: 10-15%
 * more CPU per request).
 */
export interface BoundedOutput {
  /** Queues `text` unless the output is broken or its queue is full; never throws, never blocks. */
  write(text: string): boolean;
  /** pino checks for a writable stream. */
  readonly writable: boolean;
  /** Lines dropped because the reader was gone or too slow. */
  readonly dropped: number;
  readonly broken: boolean;
}

export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export function boundedOutput(stream: NodeJS.WritableStream & { writableLength?: number }, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES): BoundedOutput {
  let broken = false;
  let dropped = 0;
  let pending = '';
  let pendingLines = 0;
  let scheduled: NodeJS.Immediate | null = null;
  const breakOff = () => {
    broken = true;
  };
  // An error event with no listener would throw from an unrelated place (and kill
  // the process half way through a shutdown); one failure is enough to stop writing.
  stream.on('error', breakOff);
  const flush = () => {
    scheduled = null;
    if (!pending) return;
    const text = pending;
    const lines = pendingLines;
    pending = '';
    pendingLines = 0;
    if (broken) {
      dropped += lines;
      return;
    }
    try {
      stream.write(text);
    } catch {
      breakOff(); // a destroyed stream throws ERR_STREAM_DESTROYED synchronously
      dropped += lines;
    }
  };
  // What is still pending when the process exits goes out as it would have
  // without the coalescing (a message printed just before process.exit).
  process.on('exit', flush);
  return {
    get writable() {
      return !broken;
    },
    get dropped() {
      return dropped;
    },
    get broken() {
      return broken;
    },
    write(text: string): boolean {
      if (broken || (stream.writableLength ?? 0) + pending.length + text.length > maxQueuedBytes) {
        dropped++;
        return true; // never ask pino to wait for 'drain': that is what blocks
      }
      pending += text;
      pendingLines++;
      // Unref'd: a pending line never keeps the process alive ('exit' flushes it).
      scheduled ??= setImmediate(flush).unref();
      return true;
    },
  };
}

let stdoutOutput: BoundedOutput | undefined;
let stderrOutput: BoundedOutput | undefined;

/** The process's stdout, bounded (one instance, so every writer shares the bound). */
export function stdout(): BoundedOutput {
  return (stdoutOutput ??= boundedOutput(process.stdout));
}

/** The process's stderr, bounded. */
export function stderr(): BoundedOutput {
  return (stderrOutput ??= boundedOutput(process.stderr));
}
