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

/**
 * CPU seconds so far of the cluster in `dataDir`: the postmaster's own time and
 * that of the children it has reaped (utime, stime, cutime, cstime), plus the
 * time of its children alive now. A backend that exits between two readings
 * (pgbench's, a pool's) moves from the second sum to the first, so the total
 * only grows and the difference of two readings is what the server spent.
 * (Idea from the scale3 branch's bench:engine.)
 */
export function postgresCpuSeconds(dataDir: string): number {
  const master = postmasterPid(dataDir);
  let total = 0;
  try {
    const f = fs.readFileSync(`/proc/${master}/stat`, 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    total += (Number(x[11]) + Number(x[12]) + Number(x[13]) + Number(x[14])) / TICK;
  } catch {
    // the server is gone
  }
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(entry);
    if (s && s.ppid === master) total += s.cpu;
  }
  return total;
}

/** CPU seconds the whole machine spent busy so far (/proc/stat): every process, load generator included. */
export function machineBusySeconds(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) / TICK;
}
