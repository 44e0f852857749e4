import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../setup/app-process.js';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RepoCopy {
  dir: string;
  /**
   * Runs a command in the copy; rejects with its output unless it exits 0 (or
   * `allowFailure`). Asynchronous: a test worker blocked in spawnSync for minutes
   * misses vitest's own messages.
   */
  run(command: string, args: string[], opts?: { env?: Record<string, string>; allowFailure?: boolean; timeoutMs?: number }): Promise<RunResult>;
  remove(): void;
}

/** Files of the working tree as a clean clone would have them, plus uncommitted ones not ignored. */
function workingTreeFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split('\0').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
}

/**
 * node_modules for the copy: a symlink per installed package (no second install),
 * except Prisma's generated client, which the copy generates for its own schema.
 * @prisma/client gets real top-level files so that it resolves `.prisma/client`
 * inside the copy, not in the original.
 */
function linkNodeModules(dir: string): void {
  const src = path.join(ROOT, 'node_modules');
  const dst = path.join(dir, 'node_modules');
  fs.mkdirSync(dst);
  for (const entry of fs.readdirSync(src)) {
    if (entry === '.prisma' || entry === '@prisma') continue;
    fs.symlinkSync(path.join(src, entry), path.join(dst, entry));
  }
  fs.mkdirSync(path.join(dst, '@prisma'));
  for (const entry of fs.readdirSync(path.join(src, '@prisma'))) {
    if (entry !== 'client') fs.symlinkSync(path.join(src, '@prisma', entry), path.join(dst, '@prisma', entry));
  }
  const client = path.join(src, '@prisma/client');
  fs.mkdirSync(path.join(dst, '@prisma/client'));
  for (const entry of fs.readdirSync(client)) {
    const from = path.join(client, entry);
    const to = path.join(dst, '@prisma/client', entry);
    if (fs.statSync(from).isDirectory()) fs.symlinkSync(from, to);
    else fs.copyFileSync(from, to);
  }
}

/**
 * A temporary copy of this repository (the working tree, uncommitted changes
 * included) whose node_modules reuse this one's packages. Readable by every
 * user: when tests run as root, PostgreSQL runs as "postgres" and must enter it.
 */
export function copyRepo(label: string): RepoCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `realmgate-${label}-`));
  fs.chmodSync(dir, 0o755);
  for (const f of workingTreeFiles()) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  linkNodeModules(dir);
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k]) base[k] = process.env[k]!;
  return {
    dir,
    run(command, args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: dir, env: { ...base, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
        // Its own process group, so a timeout ends npx and everything it started.
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, opts.timeoutMs ?? 600_000);
        child.on('error', (e) => (clearTimeout(timer), reject(e)));
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const result = { status: code, stdout, stderr };
          if (opts.allowFailure || code === 0) resolve(result);
          else reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        });
      });
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
