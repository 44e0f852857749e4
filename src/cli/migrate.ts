// npm run migrate -- status | up [n] | down [n]
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, parseDatabaseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../db/database.js';
import { MigrationError, migrateDown, migrateUp, migrationStatus } from '../db/migrate.js';

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

async function withDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  let config;
  try {
    config = parseDatabaseConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const database = await openDatabase(config, log);
  try {
    await fn(database.url);
  } catch (e) {
    if (!(e instanceof MigrationError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  } finally {
    await database.stop();
  }
}

const program = new Command('migrate').description('Apply or roll back the SQL migrations in prisma/migrations');

program
  .command('status')
  .description('list migrations and whether each is applied')
  .action(() =>
    withDatabase(async (url) => {
      for (const m of await migrationStatus(url)) {
        const state = m.changed ? 'CHANGED' : m.applied ? 'applied' : 'pending';
        process.stdout.write(`${state.padEnd(8)} ${m.name}${m.appliedAt ? `  (${m.appliedAt.toISOString()})` : ''}\n`);
      }
    }),
  );

program
  .command('up')
  .argument('[n]', 'apply at most n pending migrations', count)
  .description('apply pending migrations')
  .action((n?: number) =>
    withDatabase(async (url) => {
      const applied = await migrateUp(url, { steps: n });
      process.stdout.write(applied.length ? applied.map((a) => `applied  ${a}\n`).join('') : 'nothing to apply\n');
    }),
  );

program
  .command('down')
  .argument('[n]', 'roll back the last n migrations', count, 1)
  .description('roll back applied migrations with their down.sql')
  .action((n: number) =>
    withDatabase(async (url) => {
      const reverted = await migrateDown(url, { steps: n });
      process.stdout.write(reverted.length ? reverted.map((a) => `reverted ${a}\n`).join('') : 'nothing to roll back\n');
    }),
  );

await program.parseAsync(process.argv);
