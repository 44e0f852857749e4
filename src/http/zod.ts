import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// `.openapi()` (examples, descriptions, component names) on every zod schema.
// Import `z` from here in API code so the extension is in place first; plain
// zod schemas from src/domain work unchanged with the registry.
extendZodWithOpenApi(z);

export { z };
