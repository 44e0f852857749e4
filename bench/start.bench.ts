// npm run bench:start: how long a warm `npm start` takes to be ready, as a ratio to
// starting a bare `node -e ''` on the same machine at the same time (issue #10's
// target: under 3 s warm here). Two readings of "ready", both from the spawn:
// - banner: the "Realmgate is running" lines are printed;
// - serving: GET /admin/login answers 200 (the panel is mounted), GET /api/v1/models
//   without a key answers the API's own 401 (the API is mounted; a 503 "starting"
//   does not count) and GET /readyz answers 200 (the app's database client answers,
//   migrations are current), polled every 20 ms.
//
//   BENCH_RUNS   warm starts to measure (default 5)
//   BENCH_ROOT   another checkout to measure (its node_modules installed), e.g. an older commit
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(process.env.BENCH_ROOT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BANNER = /Realmgate is running: http:\/\/\S+\/admin/;
/** Path -> the status that shows it served. */
const SERVING: Record<string, number> = { '/admin/login': 200, '/api/v1/models': 401, '/readyz': 200 };

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function serves(port: number, p: string): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === SERVING[p];
  } catch {
    return false;
  }
}

function bare(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('exit', () => resolve(ms(started))).on('error', reject);
  });
}

/** One start: times to the banner and to every SERVING path answering as expected, then SIGTERM and wait for the exit. */
async function start(command: string, args: string[], env: Record<string, string>): Promise<{ banner: number; serving: number }> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let banner: number | undefined;
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  child.stdout!.on('data', (c: Buffer) => {
    out += c;
    if (banner === undefined && BANNER.test(out)) banner = ms(started);
  });
  const pending = new Set(Object.keys(SERVING));
  let serving: number | undefined;
  while (!exited && ms(started) < 120_000) {
    for (const p of [...pending]) if (await serves(port, p)) pending.delete(p);
    if (!pending.size) {
      serving = ms(started);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGTERM');
  const code = await exit;
  if (serving === undefined || banner === undefined) throw new Error(`not ready (exit ${code}; still failing: ${[...pending].join(', ')})\n${out}\n${err}`);
  return { banner, serving };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-start-')));
fs.chmodSync(folder, 0o755); // the "postgres" user must reach it when run as root
const env = { PGDATA_DIR: path.join(folder, 'postgres'), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
// What `npm start` runs there (without npm's own start-up): compiled dist/ now, tsx before.
const app = fs.existsSync(path.join(ROOT, 'scripts/start.mjs'))
  ? ([process.execPath, ['scripts/start.mjs']] as const)
  : ([process.execPath, ['--import', 'tsx', 'src/main.ts']] as const);
try {
  process.stdout.write(`measuring ${ROOT} (load average ${load()})\n`);
  const cold = await start(app[0], [...app[1]], env);
  process.stdout.write(`first (cold) start, initdb + migrations + demo seed: serving after ${Math.round(cold.serving)} ms\n`);
  const banners: number[] = [];
  const servings: number[] = [];
  const bares: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so both see the same load on a shared machine.
    bares.push(await bare());
    const warm = await start(app[0], [...app[1]], env);
    banners.push(warm.banner);
    servings.push(warm.serving);
  }
  const b = median(bares);
  const line = (name: string, xs: number[]) =>
    `warm start to ${name}: median ${Math.round(median(xs))} ms, ${(median(xs) / b).toFixed(1)}x node -e '' (runs: ${xs.map(Math.round).join(', ')})\n`;
  process.stdout.write(
    line('banner', banners) +
      line(`serving (${Object.entries(SERVING).map(([p, s]) => `${p} ${s}`).join(', ')})`, servings) +
      `node -e '': median ${Math.round(b)} ms (runs: ${bares.map(Math.round).join(', ')})\n` +
      `load average after: ${load()}\n`,
  );
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}
