#!/usr/bin/env node
// Runs `prisma generate` offline. With engineType = "client" no engine binary is
// used at run time, but the CLI still tries to download one unless these point at
// an existing file; any file will do, so we point them at this script.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
const env = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY || self,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || self,
  // generate never connects; the schema only needs the variable to exist
  DATABASE_URL: process.env.DATABASE_URL || 'postgresql://localhost/realmgate',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
const r = spawnSync(process.execPath, [cli, 'generate', '--schema', path.join(root, 'prisma', 'schema.prisma')], { env, stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
