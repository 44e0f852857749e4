import React, { useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { Box, Button, Text } from '@adminjs/design-system';
import { ApiClient, RecordsTable, type ActionProps, type RecordJSON } from 'adminjs';

interface ListMeta {
  perPage: number;
  nextCursor: string | null;
}

/** What the filter matches: the list action with view=totals. */
interface Summary {
  total: number;
  totalCapped: boolean;
  totals: { tokens: string; requests: string; source: 'rollups' | 'ledger' } | null;
}

const api = new ApiClient();
const EXPORTS: Record<string, string> = { UsageEvent: 'usage', AuditLog: 'audit' };
const grouped = (s: string | number) => BigInt(s).toLocaleString('en-US');

/**
 * The usage ledger's and audit log's list: newest first, pages by keyset
 * (Older / Newer / Newest), a total counted no further than 10,000 and the
 * filter's tokens and requests (asked once per filter, beside the first page,
 * not on every page), and a CSV export of exactly this filter.
 * Filters come from AdminJS's filter drawer (the URL's filters.*).
 */
const LedgerList: React.FC<ActionProps> = ({ resource }) => {
  const location = useLocation();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [records, setRecords] = useState<RecordJSON[]>([]);
  const [meta, setMeta] = useState<ListMeta | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const after = cursors[cursors.length - 1] ?? null;
  const search = new URLSearchParams(location.search);
  const filters = Object.fromEntries([...search.entries()].filter(([k]) => k.startsWith('filters.')));
  const filterKey = JSON.stringify(filters);

  useEffect(() => setCursors([null]), [filterKey, resource.id]);
  // What the filter matches comes in its own request, once per filter: paging does not count again.
  useEffect(() => {
    let live = true;
    setSummary(null);
    api
      .resourceAction({ resourceId: resource.id, actionName: 'list', params: { ...filters, view: 'totals' } })
      .then((res) => live && setSummary((res.data as { meta?: Summary }).meta ?? null))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [filterKey, resource.id]);
  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .resourceAction({ resourceId: resource.id, actionName: 'list', params: { ...filters, ...(after ? { after } : {}) } })
      .then((res) => {
        if (!live) return;
        const data = res.data as { records: RecordJSON[]; meta: ListMeta; notice?: { message: string } };
        setRecords(data.records ?? []);
        setMeta(data.meta);
        setError(data.notice?.message ?? null);
      })
      .catch(() => live && setError('The list could not be loaded.'))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [filterKey, after, resource.id]);

  const exportKind = EXPORTS[resource.id];
  const exportHref = exportKind ? `${window.location.pathname.split('/resources/')[0]}/export/${exportKind}.csv?${new URLSearchParams(filters).toString()}` : null;
  const total = summary ? `${grouped(summary.total)}${summary.totalCapped ? '+' : ''} matching` : '';
  const totals = summary?.totals;

  return (
    <Box variant="container" data-testid="ledger-list">
      <Box mb="lg" style={{ display: 'flex', flexWrap: 'wrap', gap: 16, alignItems: 'center', justifyContent: 'space-between' }}>
        <Text data-testid="ledger-totals">
          {total}
          {totals ? ` · ${grouped(totals.tokens)} tokens · ${grouped(totals.requests)} requests${totals.source === 'rollups' ? ' (daily rollups)' : ''}` : ''}
        </Text>
        {exportHref ? (
          <Button as="a" href={exportHref} size="sm" variant="outlined" data-testid="ledger-export">
            Export CSV
          </Button>
        ) : null}
      </Box>
      {error ? (
        <Text mb="lg" style={{ color: '#EB5757' }}>
          {error}
        </Text>
      ) : null}
      <RecordsTable
        resource={resource}
        records={records}
        actionPerformed={() => setCursors([...cursors])}
        onSelect={() => undefined}
        onSelectAll={() => undefined}
        selectedRecords={[]}
        isLoading={loading}
        direction="desc"
        sortBy="occurredAt"
      />
      <Box mt="xl" style={{ display: 'flex', gap: 8, justifyContent: 'center' }}>
        <Button size="sm" variant="outlined" disabled={cursors.length < 2} onClick={() => setCursors([null])} data-testid="ledger-newest">
          Newest
        </Button>
        <Button size="sm" variant="outlined" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))} data-testid="ledger-newer">
          ← Newer
        </Button>
        <Button size="sm" variant="outlined" disabled={!meta?.nextCursor} onClick={() => meta?.nextCursor && setCursors([...cursors, meta.nextCursor])} data-testid="ledger-older">
          Older →
        </Button>
      </Box>
    </Box>
  );
};

export default LedgerList;
