import React, { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Badge, Box, Button, H4, Icon, Label, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { useNotice, ViewHelpers, type ActionProps } from 'adminjs';
import { Bar, ErrorLine, failureOf, field, grouped, Muted, resourceCall } from './action-ui.js';

type Counts = Record<string, number>;
interface Kind {
  kind: string;
  label: string;
}
interface Run {
  id: string;
  status: string;
  batchSize: number;
  rowsTotal: number;
  rowsDone: number;
  realmsCreated: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}
interface Status {
  live: boolean;
  latest: Run | null;
  recent: Run[];
  withoutRealm: Counts;
}
interface Job {
  kind: 'migrate' | 'rollback';
  state: 'running' | 'done' | 'failed';
  runId: string | null;
  done: number;
  total: number;
  phase: string | null;
  error: string | null;
  summary: string | null;
}
interface Plan {
  owners: { userId: string; username: string; email: string; organizationName: string; source: 'USER' | 'ORGANIZATION'; hasDefaultRealm: boolean; counts: Counts; total: number }[];
  blocked: { reason: string; organizationName: string; userId: string | null; counts: Counts; total: number }[];
  totals: { byKind: Counts; rows: number; blockedRows: number; realmsToCreate: number; usersWithoutOrganization: number };
}

const RESOURCE = 'RealmMigrationRun';
const h = new ViewHelpers();
const sum = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);
const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');

/**
 * "Migrate data into realms": the dry run (per user and kind, what would move),
 * a Run button that starts the migration in the background, and its progress
 * (rows done of rows total), polled every second until it completes.
 */
const ActionRealmMigration: React.FC<ActionProps> = ({ action }) => {
  const addNotice = useNotice();
  const [plan, setPlan] = useState<Plan | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [batchSize, setBatchSize] = useState('1000');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const wasRunning = useRef(false);

  const take = (d: Record<string, any>) => {
    if (d.plan) setPlan(d.plan as Plan);
    if (d.status) setStatus(d.status as Status);
    if (d.kinds) setKinds(d.kinds as Kind[]);
    setJob((d.job ?? null) as Job | null);
  };
  const loadAll = () =>
    resourceCall(RESOURCE, action.name)
      .then((d) => (d.notice?.type === 'error' ? setError(d.notice.message) : take(d)))
      .catch((e) => setError(failureOf(e)));

  useEffect(() => {
    loadAll();
  }, []);

  const running = job?.state === 'running' || !!status?.live;
  useEffect(() => {
    if (running) {
      wasRunning.current = true;
      const timer = setInterval(() => {
        resourceCall(RESOURCE, action.name, undefined, { view: 'status' })
          .then(take)
          .catch(() => {});
      }, 1000);
      return () => clearInterval(timer);
    }
    // Just finished: the dry run now shows what is left.
    if (wasRunning.current) {
      wasRunning.current = false;
      loadAll();
    }
    return undefined;
  }, [running]);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const d = await resourceCall(RESOURCE, action.name, { batchSize });
      if (d.notice) addNotice(d.notice);
      if (d.notice?.type === 'error') setError(d.notice.message);
      else take(d);
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (!plan || !status) return error ? <ErrorLine message={error} /> : <Loader />;

  const latest = status.latest;
  const rollingBack = job?.kind === 'rollback' && job.state === 'running';
  const done = rollingBack ? job!.done : latest?.rowsDone ?? 0;
  const total = rollingBack ? job!.total : latest?.rowsTotal ?? 0;
  const percent = total ? (done * 100) / total : running ? 0 : 100;
  const left = sum(status.withoutRealm);

  return (
    <Box data-testid="realm-migration">
      <Box variant="white" p="xl" mb="xl">
        <H4 mb="lg">Progress</H4>
        {latest || job ? (
          <Box data-testid="migration-progress" data-status={running ? 'RUNNING' : latest?.status ?? ''} data-done={done} data-total={total}>
            <Text mb="default">
              {rollingBack ? 'Rolling back: ' : running ? 'Migrating: ' : `Latest run ${latest?.status.toLowerCase().replace('_', ' ')}: `}
              <strong data-testid="migration-rows">
                {grouped(done)} rows done of {grouped(total)} rows total
              </strong>
              {running && job?.phase === 'realms' ? ' (creating default realms)' : ''}
            </Text>
            <Bar percent={percent} testId="migration-bar" tone="progress" />
            {job?.state === 'failed' ? <ErrorLine message={job.error} /> : null}
            {!running && job?.summary ? <Text mt="default">{job.summary}.</Text> : null}
            {!running && latest?.error ? <ErrorLine message={latest.error} /> : null}
          </Box>
        ) : (
          <Muted>No realm migration has run on this database yet.</Muted>
        )}
        <Text mt="lg" data-testid="without-realm" data-count={left}>
          Rows without a realm now: <strong>{grouped(left)}</strong>
          {left ? ` (${kinds.filter((k) => status.withoutRealm[k.kind]).map((k) => `${status.withoutRealm[k.kind]} ${k.label}`).join(', ')})` : ''}
        </Text>
      </Box>

      <Box variant="white" p="xl" mb="xl">
        <H4 mb="lg">Dry run: what a run would do</H4>
        <Text mb="lg" data-testid="plan-totals">
          Would move <strong>{grouped(plan.totals.rows)}</strong> rows ({kinds.map((k) => `${plan.totals.byKind[k.kind] ?? 0} ${k.label}`).join(', ')}) and create{' '}
          <strong>{grouped(plan.totals.realmsToCreate)}</strong> default {plan.totals.realmsToCreate === 1 ? 'realm' : 'realms'}.
          {plan.totals.blockedRows ? ` ${plan.totals.blockedRows} rows cannot move (below).` : ''}
          {plan.totals.usersWithoutOrganization ? ` ${plan.totals.usersWithoutOrganization === 1 ? '1 user' : `${plan.totals.usersWithoutOrganization} users`} without an organization (platform staff) get no realm.` : ''}
        </Text>
        {plan.owners.length ? (
          <Table data-testid="plan-table">
            <TableHead>
              <TableRow>
                <TableCell>Organization</TableCell>
                <TableCell>Owner</TableCell>
                {kinds.map((k) => (
                  <TableCell key={k.kind}>{k.label}</TableCell>
                ))}
                <TableCell>Total</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {plan.owners.map((o) => (
                <TableRow key={`${o.userId}/${o.source}`}>
                  <TableCell>{o.organizationName}</TableCell>
                  <TableCell>
                    {o.email || o.username} {o.source === 'ORGANIZATION' ? <Badge size="sm">organization's rows</Badge> : null}
                    {o.hasDefaultRealm ? null : <Badge size="sm">new Default realm</Badge>}
                  </TableCell>
                  {kinds.map((k) => (
                    <TableCell key={k.kind}>{o.counts[k.kind] || ''}</TableCell>
                  ))}
                  <TableCell>
                    <strong>{o.total}</strong>
                  </TableCell>
                </TableRow>
              ))}
              <TableRow>
                <TableCell>
                  <strong>Total</strong>
                </TableCell>
                <TableCell />
                {kinds.map((k) => (
                  <TableCell key={k.kind}>
                    <strong>{plan.totals.byKind[k.kind] ?? 0}</strong>
                  </TableCell>
                ))}
                <TableCell>
                  <strong>{plan.totals.rows}</strong>
                </TableCell>
              </TableRow>
            </TableBody>
          </Table>
        ) : (
          <Muted>No row without a realm can move.</Muted>
        )}
        {plan.blocked.length ? (
          <Box mt="xl">
            <H4 mb="default">Cannot move</H4>
            {plan.blocked.map((b, i) => (
              <Text key={i}>
                {b.organizationName}: {b.total} rows ({b.reason.toLowerCase().replace(/_/g, ' ')})
              </Text>
            ))}
          </Box>
        ) : null}
        <Box mt="xl" flex alignItems="flex-end" style={{ gap: 16 }}>
          <Box style={{ width: 180 }}>
            <Label htmlFor="rm-batch">Batch size</Label>
            <input id="rm-batch" type="number" min={1} max={50000} style={field} value={batchSize} onChange={(e) => setBatchSize(e.target.value)} />
          </Box>
          <Button type="button" variant="contained" disabled={busy || running} onClick={run} data-testid="migration-run">
            {busy || running ? <Icon icon="Loader" spin /> : null}
            {running ? 'Running…' : 'Run migration'}
          </Button>
        </Box>
        <ErrorLine message={error} />
      </Box>

      {status.recent.length ? (
        <Box variant="white" p="xl">
          <H4 mb="lg">Recent runs</H4>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Started</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Rows</TableCell>
                <TableCell>Realms created</TableCell>
                <TableCell>Finished</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {status.recent.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>
                    <Link to={h.recordActionUrl({ resourceId: RESOURCE, recordId: r.id, actionName: 'show' })}>{when(r.startedAt)}</Link>
                  </TableCell>
                  <TableCell>{r.status}</TableCell>
                  <TableCell>
                    {grouped(r.rowsDone)} of {grouped(r.rowsTotal)}
                  </TableCell>
                  <TableCell>{r.realmsCreated}</TableCell>
                  <TableCell>{when(r.finishedAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Muted>Open a run to roll it back.</Muted>
        </Box>
      ) : null}
    </Box>
  );
};

export default ActionRealmMigration;
