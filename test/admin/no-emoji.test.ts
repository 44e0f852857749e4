import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Emoji show as empty boxes on Linux without an emoji font: the panel's
 * navigation, dashboards, actions and demo data use icons from the AdminJS
 * icon set (feather names) instead. This keeps it so.
 */
const ROOTS = ['src/admin', 'components', 'src/domain/seed'];
const EMOJI = /\p{Extended_Pictographic}/u;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : /\.(ts|tsx|js|mjs|css|json)$/.test(e.name) ? [full] : [];
  });
}

describe('no emoji in the panel', () => {
  it('src/admin, components and the demo seed hold no emoji', () => {
    const found: string[] = [];
    for (const root of ROOTS) {
      for (const file of files(root)) {
        fs.readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const m = EMOJI.exec(line);
            if (m) found.push(`${file}:${i + 1}: ${m[0]}`);
          });
      }
    }
    expect(files('components').length).toBeGreaterThan(10);
    expect(found).toEqual([]);
  });
});
