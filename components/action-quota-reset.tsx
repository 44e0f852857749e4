import React, { useEffect, useState } from 'react';
import { Box, Button, H4, Icon, Loader, Text } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import { QuotaTable, type QuotaStats } from './action-quota-stats.js';
import { bulkCall, ErrorLine, failureOf, recordCall } from './action-ui.js';

/**
 * Reset quotas (of one organization, user or key, or of the selected
 * organizations): the current usage first, then a reset of the counters
 * ticked, each with the generation shown here, so that a reset someone made
 * in between is reported ("already reset") instead of repeated.
 */
const ActionQuotaReset: React.FC<ActionProps> = ({ action, resource, record, records }) => {
  const addNotice = useNotice();
  const ids = record ? [String(record.id)] : (records ?? []).map((r) => String(r.id));
  const call = (data?: Record<string, unknown>) => (record ? recordCall(resource.id, ids[0]!, action.name, data) : bulkCall(resource.id, ids, action.name, data));
  const [stats, setStats] = useState<QuotaStats[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const show = (list: QuotaStats[]) => {
    setStats(list);
    // Ticked by default: every counter with something to reset.
    setSelected(new Set(list.flatMap((s) => s.metrics.filter((m) => m.counterId && m.used + m.reserved > 0).map((m) => m.counterId!))));
  };

  useEffect(() => {
    call()
      .then((d) => (d.stats ? show(d.stats as QuotaStats[]) : setError(d.notice?.message ?? 'Could not read the usage')))
      .catch((e) => setError(failureOf(e)));
  }, [ids.join(',')]);

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const reset = async () => {
    if (!stats) return;
    setBusy(true);
    setError(null);
    setDone(null);
    const counters = stats.flatMap((s) => s.metrics.filter((m) => m.counterId && selected.has(m.counterId)).map((m) => ({ counterId: m.counterId, expectedGeneration: m.generation })));
    try {
      const data = await call({ counters: JSON.stringify(counters) });
      if (data.notice) addNotice(data.notice);
      if (data.notice?.type === 'error') setError(data.notice.message);
      else {
        setDone(data.notice?.message ?? 'Reset');
        if (data.stats) show(data.stats as QuotaStats[]);
      }
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (!stats) return error ? <ErrorLine message={error} /> : <Loader />;
  const label = String((action.custom ?? {}).label ?? 'Reset quotas');
  return (
    <Box variant="white" p="xl" data-testid="quota-reset">
      <H4 mb="lg">{label}: current usage</H4>
      <Text mb="lg">Ticked quotas go back to zero for the rest of their period. Usage recorded meanwhile is never lost: it is either part of what is reset or counted after it.</Text>
      {stats.map((s) => (
        <Box key={s.subject.subjectId} mb="xl">
          {stats.length > 1 || s.subject.subjectType !== resource.id ? <H4 mb="default">{s.subject.name}</H4> : null}
          <QuotaTable stats={s} selected={selected} onToggle={toggle} />
        </Box>
      ))}
      <ErrorLine message={error} />
      {done ? (
        <Text mb="lg" data-testid="action-done" style={{ color: '#007D5A' }}>
          {done}
        </Text>
      ) : null}
      <Box flex style={{ gap: 12 }}>
        <Button type="button" variant="contained" color="danger" disabled={busy || selected.size === 0} onClick={reset} data-testid="quota-reset-submit">
          {busy ? <Icon icon="Loader" spin /> : null}
          Reset {selected.size === 1 ? '1 quota' : `${selected.size} quotas`}
        </Button>
        {error ? (
          <Button
            type="button"
            variant="outlined"
            onClick={() => {
              setError(null);
              call().then((d) => d.stats && show(d.stats as QuotaStats[]));
            }}
          >
            Reload usage
          </Button>
        ) : null}
      </Box>
    </Box>
  );
};

export default ActionQuotaReset;
