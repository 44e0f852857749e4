#!/usr/bin/env node
// `npm start`: runs dist/main.js (the server bundled by scripts/build-server.mjs),
// rebuilding first when any file under src/, the build script or the installed
// packages changed since, so an edited checkout never runs stale code. Same
// process: signals reach the server directly.
import { buildServer, isCurrent } from './build-server.mjs';

if (!isCurrent()) await buildServer();
await import('../dist/main.js');
