// NODE_ENV=production node --import tsx src/cli/bundle-admin.ts
// Prebuilds the admin panel's component bundle so that production starts skip it.
// Then writes the set the server sends to browsers: AdminJS's production bundles and
// ours, each with a .gz and .br beside it and a manifest of content hashes.
import { prebuildComponents } from '../admin/components.js';
import { buildStaticAssets } from '../admin/static-assets.js';

try {
  const { file, ms } = await prebuildComponents();
  process.stdout.write(ms > 50 ? `Admin components bundled into ${file} in ${ms} ms\n` : `Admin components bundle ${file} is up to date\n`);
  const { files } = buildStaticAssets();
  const sum = (k: 'bytes' | 'gzip' | 'br') => Object.values(files).reduce((n, f) => n + f[k], 0);
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  process.stdout.write(`Admin panel bundles: ${mb(sum('bytes'))} (gzip ${mb(sum('gzip'))}, brotli ${mb(sum('br'))})\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
