#!/usr/bin/env node
// `npm start`: runs dist/main.js (src/ compiled by scripts/build-server.mjs),
// recompiling first when any file under src/ changed since, so an edited checkout
// never runs stale code. Same process: signals reach the server directly.
import { buildServer, isCurrent } from './build-server.mjs';

if (!isCurrent()) await buildServer();
await import('../dist/main.js');
