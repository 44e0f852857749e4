#!/usr/bin/env node
// Prints CREATE statements for the Prisma datamodel (from src/generated/dmmf.json),
// following Prisma's own naming for keys, indexes and foreign keys. `prisma migrate`
// needs a schema-engine binary that cannot be fetched here, so new migrations start
// from this output (diff it against the previous one) and are then reviewed by hand;
// `npm run realmgate -- scaffold resource <Model>` writes one model's part for you.
import fs from 'node:fs';
import { schemaSql } from './schema-sql.mjs';

const file = new URL('../src/generated/dmmf.json', import.meta.url);
const { datamodel } = JSON.parse(fs.readFileSync(file, 'utf8'));
console.log(schemaSql(datamodel));
