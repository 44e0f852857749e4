// npm run bench:start: how long a warm `npm start` takes to be ready (the banner
// printed, the panel served), as a ratio to starting a bare `node -e ''` on the
// same machine at the same time (issue #10's target: under 3 s warm here).
//
//   BENCH_RUNS   warm starts to measure (default 5)
//   BENCH_ROOT   another checkout to measure (its node_modules installed), e.g. an older commit
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(process.env.BENCH_ROOT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const READY = /Realmgate is running: http:\/\/\S+\/admin/;

function timed(command: string, args: string[], env: Record<string, string>, until?: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ms: number | undefined;
    child.stderr!.on('data', (c: Buffer) => (err += c));
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (until && ms === undefined && until.test(out)) {
        ms = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => {
      if (!until) return resolve(Number(process.hrtime.bigint() - started) / 1e6);
      if (ms === undefined) return reject(new Error(`exited (${code}) before it was ready\n${out}\n${err}`));
      resolve(ms);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-start-')));
fs.chmodSync(folder, 0o755); // the "postgres" user must reach it when run as root
const env = { PGDATA_DIR: path.join(folder, 'postgres'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
// What `npm start` runs there (without npm's own start-up): compiled dist/ now, tsx before.
const app = fs.existsSync(path.join(ROOT, 'scripts/start.mjs'))
  ? ([process.execPath, ['scripts/start.mjs']] as const)
  : ([process.execPath, ['--import', 'tsx', 'src/main.ts']] as const);
try {
  process.stdout.write(`measuring ${ROOT}\n`);
  const cold = await timed(app[0], [...app[1]], env, READY);
  process.stdout.write(`first (cold) start, initdb + migrations + demo seed: ${Math.round(cold)} ms\n`);
  const warm: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so both see the same load on a shared machine.
    bare.push(await timed(process.execPath, ['-e', ''], {}));
    warm.push(await timed(app[0], [...app[1]], env, READY));
  }
  const w = median(warm);
  const b = median(bare);
  process.stdout.write(
    `warm start to ready: median ${Math.round(w)} ms (runs: ${warm.map(Math.round).join(', ')})\n` +
      `node -e '': median ${Math.round(b)} ms\n` +
      `ratio: ${(w / b).toFixed(1)}x a bare node start\n`,
  );
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}
