import { Router } from 'express';
import type { AppDeps } from '../../app.js';
import { currentAdminRequest } from '../access/admin-request.js';
import type { LedgerCsvExports } from '../../domain/usage-reports/export-ledger-csv.js';
import { auditFilterFrom, usageFilterFrom } from '../../domain/usage-reports/ledger-filters.js';
import { isAppError } from '../../domain/shared/app-error.js';
import { streamCsv } from '../../http/stream-csv.js';

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

/**
 * GET <root>/export/usage.csv and /export/audit.csv: the list screen's filters
 * (`filters.*` as in its URL) in the signed-in admin's scope, streamed.
 * Mounted after adminTenant, so row-level security applies as on the list.
 */
export function ledgerExportRoutes({ log, ledgerCsv }: Pick<AppDeps, 'log'> & { ledgerCsv: LedgerCsvExports }): Router {
  const router = Router();
  const route = (kind: 'usage' | 'audit') => async (req: any, res: any) => {
    const actor = currentAdminRequest()?.actor;
    if (!actor) return res.status(401).type('text/plain').send('Sign in first');
    const query = req.query as Record<string, unknown>;
    try {
      const chunks = kind === 'usage' ? ledgerCsv.usage(actor, usageFilterFrom(query)) : ledgerCsv.audit(actor, auditFilterFrom(query));
      await streamCsv(res, `${kind}-${stamp()}.csv`, chunks);
    } catch (e) {
      if (res.headersSent) return log.error({ err: e }, 'export failed mid-stream'); // streamCsv destroyed the response
      if (isAppError(e)) return res.status(e.status).type('text/plain').send(e.message);
      log.error({ err: e }, 'export failed');
      res.status(500).type('text/plain').send('Export failed');
    }
  };
  router.get('/export/usage.csv', route('usage'));
  router.get('/export/audit.csv', route('audit'));
  return router;
}
