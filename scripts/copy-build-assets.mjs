#!/usr/bin/env node
// After `tsc -p tsconfig.build.json`: the files dist/ reads next to its code that tsc
// does not emit. Today that is the full DMMF the admin panel needs (src/admin/dmmf.ts
// reads ../generated/dmmf.json relative to itself).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = ['generated/dmmf.json'];
for (const rel of assets) {
  const from = path.join(root, 'src', rel);
  if (!fs.existsSync(from)) {
    process.stderr.write(`Missing src/${rel}: run \`npm run generate\` before \`npm run build\`\n`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(path.join(root, 'dist', rel)), { recursive: true });
  fs.copyFileSync(from, path.join(root, 'dist', rel));
}
process.stdout.write(`Copied ${assets.length} asset(s) into dist/\n`);
