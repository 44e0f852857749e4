import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** The gateway as npm installs it (dev dependency; its install script is denied, it needs none). */
export const GATEWAY_ENTRY = path.join(repoRoot, 'node_modules/@portkey-ai/gateway/build/start-server.js');
const LOOPBACK_PRELOAD = path.join(here, 'loopback-listen.mjs');

export interface RunningGateway {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** Everything the gateway printed (its errors land here). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts Portkey's open-source gateway (build/start-server.js from
 * node_modules) as its own Node process on 127.0.0.1 and an ephemeral port.
 * `--headless` drops the log UI; the environment is reduced to what Node
 * needs, so no proxy, cloud credential or Redis setting of the caller leaks in
 * (without REDIS_CONNECTION_STRING the gateway keeps its caches in memory) and
 * nothing is called outside the machine: providers are reached only through
 * the `custom_host` of each request's config, which the tests point at a
 * loopback stub.
 */
export async function startPortkeyGateway(options: { entry?: string; timeoutMs?: number } = {}): Promise<RunningGateway> {
  const { entry = process.env.PORTKEY_GATEWAY_ENTRY || GATEWAY_ENTRY, timeoutMs = 30_000 } = options;
  let log = '';
  const child: ChildProcess = fork(entry, ['--headless'], {
    execArgv: ['--import', LOOPBACK_PRELOAD],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', HOME: process.env.HOME ?? '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Portkey gateway did not listen within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    child.on('message', (m: { gatewayPort?: number }) => {
      if (typeof m?.gatewayPort === 'number') {
        clearTimeout(timer);
        resolve(m.gatewayPort);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Portkey gateway exited (${code}) before listening:\n${log}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  // The gateway listens before its start banner; wait until it answers.
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch (err) {
      if (i > 50) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
