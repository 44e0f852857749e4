// The app as its own process for a benchmark (src/main.ts, as production runs it), and the
// CPU it and PostgreSQL spend (from /proc): CPU per request does not depend on what else the
// machine runs, unlike requests per second and latency, so benches print it beside them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const TICK = 100; // USER_HZ on Linux

function procStat(pid: string): { comm: string; ppid: string; cpu: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: f[1]!, cpu: (Number(f[11]) + Number(f[12])) / TICK };
  } catch {
    return null;
  }
}

export interface CpuReading {
  app: number;
  postgres: Map<string, number>;
}

/**
 * CPU seconds used so far by one process and by the PostgreSQL server whose data folder
 * is `pgDataDir` (its postmaster and every backend it forked): other PostgreSQL servers
 * on a shared machine are not counted.
 */
export function cpuSeconds(appPid: number | undefined, pgDataDir: string): CpuReading {
  const stats = new Map<string, { comm: string; ppid: string; cpu: number }>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = procStat(pid);
    if (s && s.comm.startsWith('postgres')) stats.set(pid, s);
  }
  const postmaster = [...stats.keys()].find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(pgDataDir);
    } catch {
      return false;
    }
  });
  const postgres = new Map<string, number>();
  for (const [pid, s] of stats) if (postmaster && (pid === postmaster || s.ppid === postmaster)) postgres.set(pid, s.cpu);
  return { app: appPid ? procStat(String(appPid))?.cpu ?? 0 : 0, postgres };
}

/**
 * CPU seconds between two readings: the app's, and PostgreSQL's over the processes alive
 * at the second (a backend born in between, when the app's pool reconnects after idling,
 * counts whole; one that ended in between is missed).
 */
export function cpuBetween(before: CpuReading, after: CpuReading): { app: number; postgres: number } {
  const postgres = [...after.postgres].reduce((sum, [pid, cpu]) => sum + cpu - (before.postgres.get(pid) ?? 0), 0);
  return { app: after.app - before.app, postgres };
}

export interface AppProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx src/main.ts` on the given database (owner URL to migrate,
 * app login to serve) on 127.0.0.1 and an ephemeral port. BENCH_CPU_PROF (a folder)
 * adds --cpu-prof: the profile is written when the app stops gracefully.
 */
export async function startAppProcess(env: { ownerUrl: string; appUrl: string; pepper: string } & Record<string, string>): Promise<AppProcess> {
  const { ownerUrl, appUrl, pepper, ...extra } = env;
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      ...process.env, DATABASE_URL: ownerUrl, DATABASE_APP_URL: appUrl, SEED_DEMO: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0',
      SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456', API_KEY_PEPPER: pepper, JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
      ENCRYPTION_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', ADMIN_PASSWORD: 'bench-admin-password-1',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /http:\/\/([\w.]+):(\d+)\/admin/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[2]}`);
    });
    child.once('exit', (code) => reject(new Error(`app exited (${code}) before listening:\n${out}`)));
  });
  return {
    child,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM'); // graceful: writes the --cpu-prof profile
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      child.kill('SIGKILL');
    },
  };
}
