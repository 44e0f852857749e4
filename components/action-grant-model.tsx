import React, { useEffect, useState } from 'react';
import { Box, Button, H4, Icon, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import { ErrorLine, failureOf, field, Muted, recordCall } from './action-ui.js';

interface Candidate {
  id: string;
  name: string;
  type: string;
  pricingPlan: string;
  isActive: boolean;
  enabled: boolean;
  eligible: boolean;
  reason: string | null;
}

const words = (v: string) => v.charAt(0) + v.slice(1).toLowerCase().replace(/_/g, ' ');

/** "Grant to organizations": pick organizations, then grant the model to all of them or withdraw it (all or nothing). */
const ActionGrantModel: React.FC<ActionProps> = ({ action, resource, record }) => {
  const addNotice = useNotice();
  const recordId = String(record!.id);
  const [orgs, setOrgs] = useState<Candidate[] | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    recordCall(resource.id, recordId, action.name)
      .then((d) => (d.organizations ? setOrgs(d.organizations as Candidate[]) : setError(d.notice?.message ?? 'Could not load the organizations')))
      .catch((e) => setError(failureOf(e)));
  }, [recordId]);

  if (!orgs) return error ? <ErrorLine message={error} /> : <Loader />;
  const shown = orgs.filter((o) => o.name.toLowerCase().includes(filter.trim().toLowerCase()));

  const run = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const data = await recordCall(resource.id, recordId, action.name, { organizationIds: JSON.stringify([...picked]), enabled: String(enabled) });
      if (data.notice) addNotice(data.notice);
      if (data.notice?.type === 'error') setError(data.notice.message);
      else {
        if (data.organizations) setOrgs(data.organizations as Candidate[]);
        setPicked(new Set());
      }
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };

  return (
    <Box variant="white" p="xl" data-testid="grant-model">
      <H4 mb="lg">Grant "{String(record?.params?.name ?? '')}" to organizations</H4>
      <Text mb="lg">Granting enables the model for the users of every organization picked, or of none if any of them may not use it. Withdrawing keeps their per-user limits and trial start.</Text>
      <Box mb="lg">
        <input style={field} placeholder="Filter organizations" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter organizations" />
      </Box>
      <Table>
        <TableHead>
          <TableRow>
            <TableCell style={{ width: 32 }}>
              <input
                type="checkbox"
                aria-label="Pick all shown"
                checked={shown.length > 0 && shown.every((o) => picked.has(o.id))}
                onChange={(e) => setPicked(e.target.checked ? new Set([...picked, ...shown.map((o) => o.id)]) : new Set([...picked].filter((id) => !shown.some((o) => o.id === id))))}
              />
            </TableCell>
            <TableCell>Organization</TableCell>
            <TableCell>Type and plan</TableCell>
            <TableCell>Has the model</TableCell>
            <TableCell>May use it</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map((o) => (
            <TableRow key={o.id} data-testid="grant-org-row" data-org={o.name}>
              <TableCell>
                <input type="checkbox" aria-label={`Pick ${o.name}`} checked={picked.has(o.id)} onChange={() => toggle(o.id)} />
              </TableCell>
              <TableCell>{o.name}</TableCell>
              <TableCell>
                {words(o.type)} · {words(o.pricingPlan)}
              </TableCell>
              <TableCell>{o.enabled ? 'Yes' : 'No'}</TableCell>
              <TableCell>{o.eligible ? 'Yes' : <span style={{ color: '#C20012' }}>{o.reason}</span>}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {!shown.length ? <Muted>No organization matches.</Muted> : null}
      <ErrorLine message={error} />
      <Box mt="xl" flex style={{ gap: 12 }}>
        <Button type="button" variant="contained" disabled={busy || !picked.size} onClick={() => run(true)} data-testid="grant-model-grant">
          {busy ? <Icon icon="Loader" spin /> : null}
          Grant to {picked.size === 1 ? '1 organization' : `${picked.size} organizations`}
        </Button>
        <Button type="button" variant="outlined" color="danger" disabled={busy || !picked.size} onClick={() => run(false)} data-testid="grant-model-withdraw">
          Withdraw
        </Button>
      </Box>
    </Box>
  );
};

export default ActionGrantModel;
