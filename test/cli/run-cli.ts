import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from '../setup/app-process.js';

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout matches `re`; rejects if the process exits first or on timeout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /**
   * Resolves when the process exits. If it has not within `timeoutMs`, rejects with
   * what it printed, its JavaScript stack and open handles (a Node diagnostic
   * report) and what its database sessions were doing, then kills it: a hung
   * CLI fails its test at once and says where it hung.
   */
  finished(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const REPORT_SIGNAL = 'SIGUSR2';

/** Runs `node --import tsx src/cli/realmgate.ts ...args` (what `npm run realmgate --` runs) with only `env` plus PATH and HOME. */
export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) base[k] = process.env[k]!;
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-cli-report-'));
  const child = spawn(
    process.execPath,
    ['--report-on-signal', `--report-signal=${REPORT_SIGNAL}`, `--report-directory=${reports}`, '--import', 'tsx', 'src/cli/realmgate.ts', ...args],
    { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => ((out += c.toString('utf8')), listeners.forEach((l) => l())));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => (listeners.forEach((l) => l()), fs.rmSync(reports, { recursive: true, force: true }), resolve({ code, signal }))),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) return done(() => resolve(m));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited before ${re}: ${out}\n${err}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${re}: ${out}\n${err}`))), timeoutMs);
        const done = (fn: () => void) => (clearTimeout(timer), listeners.delete(check), fn());
        listeners.add(check);
        check();
      });
    },
    async finished(timeoutMs = 90_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
      const first = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (first !== 'late') return first;
      const report = await diagnosticReport(child, reports);
      const sessions = await databaseSessions(env.DATABASE_URL);
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `realmgate ${args.join(' ')} had not exited after ${timeoutMs} ms\n--- stdout\n${out.slice(-3_000)}\n--- stderr\n${err.slice(-3_000)}\n--- node report\n${report}\n--- database sessions\n${sessions}`,
      );
    },
  };
}

async function diagnosticReport(child: ChildProcess, dir: string): Promise<string> {
  child.kill(REPORT_SIGNAL);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) continue;
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const handles = (r.libuv ?? []).filter((h: { is_active?: boolean }) => h.is_active).map((h: Record<string, unknown>) => `${h.type}${h.remoteEndpoint ? ` ${JSON.stringify(h.remoteEndpoint)}` : ''}${h.timeout !== undefined ? ` timeout=${h.timeout}` : ''}`);
      return `stack:\n${(r.javascriptStack?.stack ?? []).join('\n')}\nactive handles: ${handles.join('; ')}`;
    } catch {
      // written in parts: read it again
    }
  }
  return '(no report within 5 s)';
}

async function databaseSessions(url: string | undefined): Promise<string> {
  if (!url) return '(no DATABASE_URL)';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000, query_timeout: 3_000 });
  try {
    await c.connect();
    const { rows } = await c.query(
      `SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start AS xact_age, left(query, 200) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows.map((r) => JSON.stringify(r)).join('\n') || '(none)';
  } catch (e) {
    return `(could not read: ${(e as Error).message})`;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Runs the CLI to completion (or fails with a diagnosis if it has not exited within `timeoutMs`). */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs?: number) {
  const p = startCli(args, env);
  const { code } = await p.finished(timeoutMs);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
