import fs from 'node:fs';
import type { DMMF } from '@prisma/client/runtime/library.js';

/**
 * The full datamodel written by scripts/dmmf-generator.mjs at `npm run generate`.
 * With engineType = "client" the runtime Prisma.dmmf lacks isId and the relation
 * fields, so @adminjs/prisma must read this one instead.
 */
export type Datamodel = DMMF.Datamodel;
export type Model = DMMF.Model;
export type Field = DMMF.Field;

const DMMF_FILE = new URL('../generated/dmmf.json', import.meta.url);

let cached: Datamodel | undefined;

export function loadDatamodel(): Datamodel {
  if (!cached) {
    let text: string;
    try {
      text = fs.readFileSync(DMMF_FILE, 'utf8');
    } catch {
      throw new Error(`Missing ${DMMF_FILE.pathname}: run \`npm run generate\` (it runs after \`npm install\`).`);
    }
    cached = (JSON.parse(text) as { datamodel: Datamodel }).datamodel;
  }
  return cached;
}

/** What @adminjs/prisma's getModelByName and getEnums accept as a "client module". */
export function clientModule(datamodel: Datamodel): { Prisma: { dmmf: { datamodel: Datamodel } } } {
  return { Prisma: { dmmf: { datamodel } } };
}
