import type { Logger } from '../logger.js';
import type { BoundedOutput } from './bounded-output.js';

/**
 * Stopping the process, whatever state it is in (issue #13).
 *
 * Steps are registered as the start builds things and run in reverse on the
 * first SIGTERM/SIGINT (or a fatal error). The whole shutdown has a deadline:
 * when it passes, what is still pending goes to stderr (best effort), the
 * emergency hooks run (they stop the embedded PostgreSQL without waiting on the
 * event loop) and the process exits non-zero. A second signal, or an error
 * thrown while stopping, takes that emergency path at once.
 */
export interface ShutdownOptions {
  timeoutMs: number;
  log: Logger;
  stderr: BoundedOutput;
  /** Replaceable in tests; process.exit otherwise. */
  exit?: (code: number) => void;
}

/** Steps run by phase (lowest first), then newest first within a phase. */
export const PHASE = {
  /** Stop taking requests, let those in flight finish. */
  requests: 0,
  /** What the app holds (session store pool, timers). */
  app: 1,
  /** Database clients. */
  clients: 2,
  /** The embedded PostgreSQL itself, last. */
  database: 3,
} as const;

interface Step {
  phase: number;
  name: string;
  run: () => Promise<void>;
  /** What is still open, for the deadline report (e.g. "2 connections"). */
  detail?: () => string;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * One stop request often arrives twice: Ctrl-C signals the whole foreground group
 * (npm and node) and npm forwards its copy to node. A signal this soon after the
 * first is that echo, not someone insisting.
 */
const DUPLICATE_SIGNAL_MS = 1_000;

export class Shutdown {
  private readonly steps: Step[] = [];
  private readonly emergencyHooks: Array<() => void> = [];
  private readonly pending = new Set<Step>();
  private started = false;
  private exiting = false;
  private readonly exit: (code: number) => void;

  constructor(private readonly options: ShutdownOptions) {
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  get stopping(): boolean {
    return this.started;
  }

  /** Registers a step; once stopping has begun it runs at once (the start raced the signal). */
  add(phase: number, name: string, run: () => Promise<void>, detail?: () => string): void {
    const step = { phase, name, run, detail };
    if (this.started) void this.runStep(step);
    else this.steps.push(step);
  }

  /** Synchronous, for the paths that cannot wait: must not throw or block for long. */
  onEmergency(hook: () => void): void {
    this.emergencyHooks.push(hook);
  }

  /** Signals, parent loss and fatal errors all lead here. */
  install(): void {
    let firstSignalAt = 0;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (!this.started) {
          firstSignalAt = Date.now();
          void this.begin(signal, 0);
        } else if (Date.now() - firstSignalAt >= DUPLICATE_SIGNAL_MS) {
          this.now(`second ${signal}`, SIGNAL_EXIT[signal]!);
        }
      });
    }
    const fatal = (kind: string) => (err: unknown) => {
      if (this.started) {
        this.report(`${kind} while stopping: ${describe(err)}`);
        this.now(kind, 1);
      } else {
        this.options.log.fatal({ err }, kind);
        void this.begin(kind, 1);
      }
    };
    process.on('uncaughtException', fatal('uncaughtException'));
    process.on('unhandledRejection', fatal('unhandledRejection'));
  }

  /** Runs every step (last registered first) within the deadline, then exits with `code`. */
  async begin(reason: string, code: number): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { log, timeoutMs } = this.options;
    log.info({ reason, timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      const left = [...this.pending].map((s) => (s.detail ? `${s.name} (${s.detail()})` : s.name));
      this.report(`Shutdown did not finish within ${timeoutMs} ms; still pending: ${left.join(', ') || 'nothing registered (event loop busy)'}`);
      this.now('shutdown deadline', 1);
    }, timeoutMs);
    deadline.unref();
    const ordered = this.steps
      .splice(0)
      .map((step, i) => ({ step, i }))
      .sort((a, b) => a.step.phase - b.step.phase || b.i - a.i);
    for (const { step } of ordered) await this.runStep(step);
    clearTimeout(deadline);
    log.info({ reason }, 'stopped');
    this.finish(code);
  }

  /** The emergency path: no waiting on anything that might never answer. */
  now(reason: string, code: number): void {
    if (this.exiting) return;
    this.report(`Stopping now (${reason}).`);
    for (const hook of this.emergencyHooks) {
      try {
        hook();
      } catch {
        /* best effort: exiting matters more */
      }
    }
    this.finish(code);
  }

  private async runStep(step: Step): Promise<void> {
    this.pending.add(step);
    try {
      await step.run();
    } catch (err) {
      this.options.log.error({ err, step: step.name }, 'error during shutdown');
    } finally {
      this.pending.delete(step);
    }
  }

  private report(line: string): void {
    this.options.stderr.write(`${line}\n`);
  }

  private finish(code: number): void {
    if (this.exiting) return;
    this.exiting = true;
    this.exit(code);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
