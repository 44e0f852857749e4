#!/usr/bin/env node
// Prisma generator that writes the full datamodel DMMF as JSON.
// With engineType = "client" the runtime Prisma.dmmf lacks isId and relation
// fields, which @adminjs/prisma needs; src/admin reads this file instead.
import helper from '@prisma/generator-helper';
import fs from 'node:fs/promises';
import path from 'node:path';

helper.generatorHandler({
  onManifest() {
    return { defaultOutput: '../src/generated/dmmf.json', prettyName: 'Full DMMF for AdminJS' };
  },
  async onGenerate(options) {
    const out = options.generator.output?.value;
    if (!out) throw new Error('dmmf generator: no output path');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, JSON.stringify({ datamodel: options.dmmf.datamodel }, null, 1));
  },
});
