// The app as its own process for a benchmark (src/main.ts, as production runs it); its CPU
// and PostgreSQL's are read by ./process-cpu.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
 * BENCH_APP_ENTRY=dist runs the compiled bundle instead (dist/main.js, what `npm start`
 * runs; build it first): the same CPU per request here, with bundled function names in profiles.
 */
export async function startAppProcess(env: { ownerUrl: string; appUrl: string; pepper: string } & Record<string, string>): Promise<AppProcess> {
  const { ownerUrl, appUrl, pepper, ...extra } = env;
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const entry = process.env.BENCH_APP_ENTRY === 'dist' ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, [...profile, ...entry], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
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
    const listening = (b: Buffer) => {
      out += b.toString();
      const m = /http:\/\/([\w.]+):(\d+)\/admin/.exec(out);
      if (!m) return;
      // From here on the app's log lines are read and dropped: kept, and searched
      // again on every chunk, they cost this process more CPU with every request.
      child.stdout!.off('data', listening).resume();
      resolve(`http://127.0.0.1:${m[2]}`);
    };
    child.stdout!.on('data', listening);
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
