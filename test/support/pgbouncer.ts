import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A PgBouncer of the test's own (Debian's `pgbouncer` package, installed by
 * .ci/run): its own ini and userlist in a temp folder, a free port on
 * 127.0.0.1, transaction pooling, in front of the suite's PostgreSQL. Never
 * the system service the package may have set up.
 */
export interface PgBouncer {
  port: number;
  /** `url` (a direct PostgreSQL URL) rewritten to go through this PgBouncer: same user, password and database. */
  via(url: string): string;
  /** Client and server connections PgBouncer holds now, from its admin console (SHOW POOLS). */
  pools(): Promise<Array<Record<string, string>>>;
  log(): string;
  stop(): Promise<void>;
}

export function pgbouncerBinary(): string {
  for (const p of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) if (fs.existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('pgbouncer is not installed: `apt-get install -y pgbouncer` (Debian; .ci/run installs it)');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Starts PgBouncer for the logins in `urls` (all on one PostgreSQL server).
 * Auth: scram-sha-256 towards the clients, with the logins' passwords in a
 * userlist so that PgBouncer can also log in to PostgreSQL (which stores SCRAM
 * verifiers) on their behalf.
 */
export async function startPgBouncer(urls: string[], options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  const server = new URL(urls[0]!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-pgbouncer-'));
  const port = await freePort();
  const users = new Map<string, string>();
  for (const u of urls.map((x) => new URL(x))) users.set(decodeURIComponent(u.username), decodeURIComponent(u.password));
  const admin = [...users.keys()][0]!;
  fs.writeFileSync(path.join(dir, 'userlist.txt'), [...users].map(([u, p]) => `${quote(u)} ${quote(p)}`).join('\n') + '\n', { mode: 0o600 });
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      // Any database name goes to the same-named database on the suite's server.
      `* = host=${server.hostname} port=${server.port}`,
      '[pgbouncer]',
      `listen_addr = 127.0.0.1`,
      `listen_port = ${port}`,
      `unix_socket_dir =`,
      `pool_mode = transaction`,
      `auth_type = scram-sha-256`,
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `admin_users = ${admin}`,
      `max_client_conn = 1000`,
      `default_pool_size = ${options.poolSize ?? 12}`,
      `max_db_connections = 0`,
      // A failed server login is not retried for this long: keep it short in tests.
      `server_login_retry = 1`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  // PgBouncer refuses to run as root; `-u` drops to the user PostgreSQL runs as, which must read the files.
  const asRoot = process.getuid?.() === 0;
  const args = [path.join(dir, 'pgbouncer.ini')];
  if (asRoot) {
    // The embedded PostgreSQL's user when it exists (it does once the suite started one), else nobody.
    const user = ['postgres', 'nobody'].find((u) => {
      try {
        execFileSync('id', ['-u', u], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })!;
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    fs.chmodSync(dir, 0o700);
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, f), uid, gid);
    args.unshift('-u', user);
  }
  let output = '';
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A worker that exits without running afterAll must not leave PgBouncer behind.
  const killOnExit = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', killOnExit);

  const log = () => {
    let file = '';
    try {
      file = fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8');
    } catch {
      /* not written yet */
    }
    return output + file;
  };
  const via = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGINT'); // PgBouncer's immediate shutdown
      } catch {
        /* gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  // Ready when a login through it reaches PostgreSQL.
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const text = log();
      await stop();
      throw new Error(`pgbouncer exited at start:\n${text}`);
    }
    const c = new pg.Client({ connectionString: via(urls[0]!) });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => {});
      if (Date.now() > until) {
        const text = log();
        await stop();
        throw new Error(`pgbouncer did not accept a login within 15 s: ${(e as Error).message}\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    port,
    via,
    async pools() {
      const u = new URL(via(urls[0]!));
      u.pathname = '/pgbouncer';
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      try {
        // Without parameters pg uses the simple query protocol, the only one the admin console speaks.
        return (await c.query('SHOW POOLS')).rows as Array<Record<string, string>>;
      } finally {
        await c.end().catch(() => {});
      }
    },
    log,
    stop,
  };
}
