import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file rather than the working directory. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface AppProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** pino's JSON lines from stdout. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until stdout matches `re` (rejects on exit or timeout, with the output so far). */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Last resort cleanup: SIGKILL to the whole process group. */
  kill(): void;
}

/**
 * Runs `node --import tsx src/main.ts` (what `npm start` runs) from the repository
 * root with only the given environment plus PATH and HOME, as a fresh shell would.
 * It gets its own process group so a test can send Ctrl-C's SIGINT to the group.
 */
export function startApp(env: Record<string, string>, options: { viaNpm?: boolean; cwd?: string; entry?: string[] } = {}): AppProcess {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) base[k] = process.env[k]!;
  // viaNpm: `npm start` itself, as a process manager runs it; child.pid is then npm's.
  // entry: another way in, e.g. ['dist/main.js'] for the compiled build; cwd: another checkout.
  const [command, args] = options.viaNpm ? ['npm', ['start', '--silent']] : [process.execPath, options.entry ?? ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited,
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) return done(() => resolve(m));
          if (child.exitCode !== null || child.signalCode !== null) {
            done(() => reject(new Error(`app exited (${child.exitCode ?? child.signalCode}) before printing ${re}\nstdout:\n${out}\nstderr:\n${err}`)));
          }
        };
        const timer = setTimeout(() => done(() => reject(new Error(`app did not print ${re} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`))), timeoutMs);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}

/** Resolves with the exit status, or rejects if the process is still running after `ms`. */
export async function exitWithin(app: AppProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${ms} ms after the signal\nstdout:\n${app.stdout()}\nstderr:\n${app.stderr()}`)), ms);
  });
  try {
    return await Promise.race([app.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Processes that belong to the PostgreSQL cluster in `dataDir`: the postmaster
 * names it on its command line (-D), and every PostgreSQL process, backends
 * included, runs with the data directory as its working directory.
 */
export function postgresProcessesOf(dataDir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    let cwd = '';
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // exited meanwhile
    }
    try {
      cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      /* not ours to read, or exited */
    }
    if (cmdline.includes(dataDir) || cwd === dataDir || cwd.startsWith(`${dataDir}/`)) found.push({ pid: Number(entry), cmdline });
  }
  return found;
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs; returns those still running after `ms`. */
export async function survivorsAfter(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = pids.filter(isRunning);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes started by `rootPid`, at any depth (read from /proc/<pid>/stat). */
export function descendantsOf(rootPid: number): { pid: number; cmdline: string }[] {
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === rootPid) {
        let cmdline = '';
        try {
          cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        } catch {
          /* exited meanwhile */
        }
        found.push({ pid, cmdline });
        break;
      }
    }
  }
  return found;
}
