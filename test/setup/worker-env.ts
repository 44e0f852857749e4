import os from 'node:os';
import path from 'node:path';

// AdminJS writes its component bundle to ADMIN_JS_TMP_DIR (read once, when adminjs
// is imported). Test workers run in parallel, so each gets its own folder: two
// processes building one bundle.js at once could serve each other half a file.
process.env.ADMIN_JS_TMP_DIR ??= path.join(os.tmpdir(), `realmgate-adminjs-worker-${process.env.VITEST_POOL_ID ?? '0'}`);
