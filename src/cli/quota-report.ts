import type { QuotaDifference, ReconcileResult } from '../domain/quotas/reconcile-quotas.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

function line(d: QuotaDifference): string {
  const subject = `${d.subjectType.toLowerCase().replace('_', ' ')} ${d.subjectId}`;
  const model = d.modelId ? ` model ${d.modelId}` : '';
  const period = d.period === 'LIFETIME' ? 'lifetime' : `${d.period.toLowerCase()} from ${day(d.periodStart)}`;
  const counted = d.counterId ? `counter ${d.counted}` : 'no counter';
  return `  ${subject}${model} ${d.metric.toLowerCase()} (${period}): ${counted}, ledger ${d.ledger}`;
}

/** The reconcile result as people read it: one line per difference, then a summary. */
export function formatReconcile(r: ReconcileResult, fix: boolean): string {
  const lines = r.differences.map(line);
  if (!r.differences.length) lines.push(`No differences: ${r.checked} counter slot(s) agree with the ledger.`);
  else if (fix) lines.push(`${r.differences.length} difference(s) in ${r.checked} slot(s); repaired ${r.repaired} (audited as quota.reconcile).`);
  else lines.push(`${r.differences.length} difference(s) in ${r.checked} slot(s). Repair with: npm run realmgate -- quota reconcile --fix`);
  return lines.join('\n');
}
