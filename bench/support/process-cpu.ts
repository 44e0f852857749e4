import fs from 'node:fs';
import path from 'node:path';

/**
 * CPU accounting for the benchmarks, from /proc. CPU seconds per request do
 * not depend on what else the machine runs, unlike requests per second, so
 * the benchmarks print them beside throughput. Only this run's processes
 * count: other PostgreSQL servers on the machine (another bench, a test run)
 * are left out.
 */

const TICK = 100; // USER_HZ on Linux

interface ProcStat {
  ppid: number;
  cpu: number;
}

function readStat(pid: string | number): ProcStat | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK };
  } catch {
    return null;
  }
}

/** CPU seconds a process has used so far (0 when it is gone). */
export function processCpuSeconds(pid: number | undefined): number {
  return pid === undefined ? 0 : (readStat(pid)?.cpu ?? 0);
}

/** The postmaster's pid of the cluster in `dataDir` (first line of postmaster.pid). */
function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** CPU seconds so far of the cluster in `dataDir`, per process: the postmaster and its children (backends, WAL writer, ...). */
export function postgresCpuSeconds(dataDir: string): Map<number, number> {
  const master = postmasterPid(dataDir);
  const out = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const s = readStat(pid);
    if (s && (pid === master || s.ppid === master)) out.set(pid, s.cpu);
  }
  return out;
}

/**
 * CPU PostgreSQL spent between two readings: over the processes alive at the
 * second, a backend born in between (the pool reconnecting) counting whole.
 * One that ended in between, like pgbench's, takes its CPU with it: measure
 * those by the machine (machineBusySeconds).
 */
export function postgresCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

/** CPU seconds the whole machine spent busy so far (/proc/stat): every process, load generator included. */
export function machineBusySeconds(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) / TICK;
}
