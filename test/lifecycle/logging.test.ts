import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../setup/app-process.js';

/**
 * Issue #13: logging never blocks the process. A child logs ~20 MB to a stdout
 * whose reader is stuck (pipe full) or gone (EPIPE), then exits: it must be gone
 * at once. pino's default destination flushed synchronously at exit and retried
 * EAGAIN forever, sleeping on a futex: the process never exited.
 */
const FIXTURE = path.join(ROOT, 'test/lifecycle/fixtures/log-flood.ts');
const children: number[] = [];

afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function flood(mode: 'exit' | 'on-sigterm', reader: 'stuck' | 'gone') {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child.pid!);
  if (reader === 'stuck') child.stdout!.pause(); // keep the pipe open, read nothing
  else child.stdout!.destroy(); // the reading side goes away
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const within = (ms: number) =>
    Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref())]);
  const printed = (text: string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not print ${text}: ${err}`)), ms);
      const check = () => {
        if (err.includes(text)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      check();
    });
  return { child, within, printed, stderr: () => err };
}

describe('logging never blocks the process', () => {
  it('exits promptly after logging into a pipe nobody reads', async () => {
    const run = flood('exit', 'stuck');
    await run.printed('flooded', 30_000);
    expect(await run.within(5_000), run.stderr()).toEqual({ code: 0, signal: null });
  }, 45_000);

  it('exits promptly after logging into a pipe whose reader is gone (EPIPE), without crashing', async () => {
    const run = flood('exit', 'gone');
    expect(await run.within(30_000), run.stderr()).toEqual({ code: 0, signal: null });
    expect(run.stderr()).not.toMatch(/EPIPE|Unhandled/);
  }, 45_000);

  it('a SIGTERM handler that logs into a stuck pipe still exits', async () => {
    const run = flood('on-sigterm', 'stuck');
    await run.printed('ready', 30_000);
    run.child.kill('SIGTERM');
    expect(await run.within(5_000), run.stderr()).toEqual({ code: 0, signal: null });
  }, 45_000);
});
