// NODE_ENV=production node --import tsx src/cli/bundle-admin.ts
// Prebuilds the admin panel's component bundle so that production starts skip it.
import { prebuildComponents } from '../admin/components.js';

try {
  const { file, ms } = await prebuildComponents();
  process.stdout.write(ms > 50 ? `Admin components bundled into ${file} in ${ms} ms\n` : `Admin components bundle ${file} is up to date\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
