import React, { useEffect, useState } from 'react';
import { Box, H4, Loader, Table, TableBody, TableCell, TableRow } from '@adminjs/design-system';
import type { ActionProps } from 'adminjs';
import { ErrorLine, failureOf, recordCall } from './action-ui.js';

interface Stats {
  realm: { name: string; isDefault: boolean; isActive: boolean };
  kinds: { kind: string; label: string; count: number }[];
  total: number;
}

/** What a realm holds, per realm-scoped kind (realmStats). */
const ActionRealmStats: React.FC<ActionProps> = ({ action, resource, record }) => {
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    recordCall(resource.id, String(record!.id), action.name)
      .then((d) => (d.stats ? setStats(d.stats as Stats) : setError(d.notice?.message ?? 'Could not count')))
      .catch((e) => setError(failureOf(e)));
  }, [record?.id]);
  if (!stats) return error ? <ErrorLine message={error} /> : <Loader />;
  return (
    <Box variant="white" p="xl" data-testid="realm-stats">
      <H4 mb="lg">
        {stats.realm.name}
        {stats.realm.isDefault ? ' (default realm)' : ''}
        {stats.realm.isActive ? '' : ' — deleted'}
      </H4>
      <Table>
        <TableBody>
          {stats.kinds.map((k) => (
            <TableRow key={k.kind}>
              <TableCell style={{ textTransform: 'capitalize' }}>{k.label}</TableCell>
              <TableCell>{k.count.toLocaleString('en-US')}</TableCell>
            </TableRow>
          ))}
          <TableRow>
            <TableCell>
              <strong>Total</strong>
            </TableCell>
            <TableCell>
              <strong>{stats.total.toLocaleString('en-US')}</strong>
            </TableCell>
          </TableRow>
        </TableBody>
      </Table>
    </Box>
  );
};

export default ActionRealmStats;
