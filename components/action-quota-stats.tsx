import React, { useEffect, useState } from 'react';
import { Box, H4, Table, TableBody, TableCell, TableHead, TableRow } from '@adminjs/design-system';
import type { BasePropertyProps } from 'adminjs';
import { Bar, bytes, grouped, Muted, recordCall } from './action-ui.js';

/** One metric of quotaStats (src/domain/quotas/quota-stats.ts), as JSON. */
export interface QuotaStat {
  counterId: string | null;
  generation: number | null;
  metric: string;
  period: string;
  periodStart: string;
  periodEnd: string | null;
  modelId: string | null;
  modelName: string | null;
  used: number;
  reserved: number;
  limit: number | null;
  remaining: number | null;
  percentUsed: number | null;
}

export interface QuotaStats {
  subject: { subjectType: string; subjectId: string; organizationId: string; name: string };
  at: string;
  metrics: QuotaStat[];
}

const METRIC: Record<string, string> = { TOKENS: 'Tokens', API_CALLS: 'API calls', DOCUMENTS: 'Documents', STORAGE_BYTES: 'Storage', REQUESTS: 'Requests' };
const PERIOD: Record<string, string> = { DAILY: 'today', WEEKLY: 'this week', MONTHLY: 'this month', LIFETIME: 'in total' };

export const metricLabel = (m: QuotaStat): string => `${METRIC[m.metric] ?? m.metric}${m.modelName ? ` — ${m.modelName}` : ''}`;
const amount = (m: QuotaStat, n: number | null, empty = '—') => (m.metric === 'STORAGE_BYTES' ? (n == null ? empty : bytes(n)) : grouped(n, empty));
export const statKey = (m: QuotaStat): string => m.counterId ?? `${m.metric}|${m.modelId ?? ''}|${m.period}`;

/**
 * Used / limit / remaining / percent per metric for the current period. With
 * `selected`, each counter that exists gets a checkbox (the reset confirmation).
 */
export const QuotaTable: React.FC<{ stats: QuotaStats; selected?: Set<string>; onToggle?: (counterId: string) => void }> = ({ stats, selected, onToggle }) => {
  if (!stats.metrics.length) return <Muted>No quotas are configured.</Muted>;
  return (
    <Table data-testid="quota-table">
      <TableHead>
        <TableRow>
          {selected ? <TableCell style={{ width: 32 }} /> : null}
          <TableCell>Quota</TableCell>
          <TableCell>Period</TableCell>
          <TableCell>Used</TableCell>
          <TableCell>Limit</TableCell>
          <TableCell>Remaining</TableCell>
          <TableCell style={{ width: 180 }}>Used %</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {stats.metrics.map((m) => (
          <TableRow key={statKey(m)} data-testid="quota-row" data-metric={m.metric} data-used={m.used}>
            {selected ? (
              <TableCell>
                {m.counterId ? (
                  <input type="checkbox" aria-label={`Reset ${metricLabel(m)}`} checked={selected.has(m.counterId)} onChange={() => onToggle?.(m.counterId!)} />
                ) : null}
              </TableCell>
            ) : null}
            <TableCell>{metricLabel(m)}</TableCell>
            <TableCell>{PERIOD[m.period] ?? m.period}</TableCell>
            <TableCell data-testid="quota-used">
              {amount(m, m.used)}
              {m.reserved ? <Muted> (+{amount(m, m.reserved)} reserved)</Muted> : null}
            </TableCell>
            <TableCell>{amount(m, m.limit, 'Unlimited')}</TableCell>
            <TableCell>{amount(m, m.remaining, 'Unlimited')}</TableCell>
            <TableCell>
              {m.percentUsed == null ? (
                <Muted>—</Muted>
              ) : (
                <Box flex alignItems="center" style={{ gap: 8 }}>
                  <Box flexGrow={1}>
                    <Bar percent={m.percentUsed} />
                  </Box>
                  <span>{m.percentUsed}%</span>
                </Box>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

/**
 * The "Quota usage" panel of organization, user and API key show pages: it
 * asks the record's hidden quotaStats action, so it shows what the viewer may
 * read (nothing when they may not).
 */
const ActionQuotaStats: React.FC<BasePropertyProps> = ({ record, resource }) => {
  const [stats, setStats] = useState<QuotaStats | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'hidden'>('loading');
  const recordId = record?.id ? String(record.id) : null;
  useEffect(() => {
    if (!recordId) return;
    recordCall(resource.id, recordId, 'quotaStats')
      .then((d) => {
        if (d.stats) {
          setStats(d.stats as QuotaStats);
          setState('ready');
        } else setState('hidden');
      })
      .catch(() => setState('hidden'));
  }, [recordId]);
  if (state === 'hidden' || !recordId) return null;
  return (
    <Box mt="xl" mb="xl" data-testid="quota-usage">
      <H4 mb="default">Quota usage</H4>
      {stats ? <QuotaTable stats={stats} /> : <Muted>Loading…</Muted>}
    </Box>
  );
};

export default ActionQuotaStats;
