import React, { useEffect, useState } from 'react';
import { Badge, Box, Button, H4, Icon, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import { ErrorLine, failureOf, field, grouped, Muted, recordCall } from './action-ui.js';
import { FeatherIcon } from './feather-icon.js';

/** listManageableModels (src/domain/model-access/list-manageable-models.ts), as JSON. */
interface ManageableModel {
  id: string;
  name: string;
  icon: string | null;
  provider: string;
  custom: boolean;
  requiredPlan: string;
  isFree: boolean;
  isTrial: boolean;
  trialDays: number | null;
  tokenLimitPeriod: string | null;
  tokenLimitAmount: number | null;
  eligible: boolean;
  message: string | null;
  trialEndsAt: string | null;
  access: { isEnabledForUsers: boolean; tokenLimitPerUser: number | null; firstEnabledAt: string | null } | null;
}

interface Row {
  enabled: boolean;
  /** '' = the model's own limit */
  limit: string;
}

const rowOf = (m: ManageableModel): Row => ({ enabled: m.access?.isEnabledForUsers ?? false, limit: m.access?.tokenLimitPerUser == null ? '' : String(m.access.tokenLimitPerUser) });

/**
 * "Manage models" of an organization: the models its type and plan make
 * eligible (and those it may no longer enable, with the reason), each with
 * "enabled for users" and a per-user token limit. Saving sends the changed
 * rows only; the server calls setModelAccess for each.
 */
const ActionManageModels: React.FC<ActionProps> = ({ action, resource, record }) => {
  const addNotice = useNotice();
  const recordId = String(record!.id);
  const [models, setModels] = useState<ManageableModel[] | null>(null);
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const show = (list: ManageableModel[]) => {
    setModels(list);
    setRows(Object.fromEntries(list.map((m) => [m.id, rowOf(m)])));
  };
  useEffect(() => {
    recordCall(resource.id, recordId, action.name)
      .then((d) => (d.models ? show(d.models as ManageableModel[]) : setError(d.notice?.message ?? 'Could not load the models')))
      .catch((e) => setError(failureOf(e)));
  }, [recordId]);

  if (!models) return error ? <ErrorLine message={error} /> : <Loader />;

  const changed = models.filter((m) => {
    const a = rowOf(m);
    const b = rows[m.id]!;
    return a.enabled !== b.enabled || a.limit.trim() !== b.limit.trim();
  });

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const changes = changed.map((m) => {
        const r = rows[m.id]!;
        const before = rowOf(m);
        return { modelId: m.id, isEnabledForUsers: r.enabled, ...(r.limit.trim() !== before.limit.trim() ? { tokenLimitPerUser: r.limit.trim() === '' ? null : Number(r.limit) } : {}) };
      });
      const data = await recordCall(resource.id, recordId, action.name, { changes: JSON.stringify(changes) });
      if (data.notice) addNotice(data.notice);
      if (data.models) show(data.models as ManageableModel[]);
      if (data.notice?.type === 'error') setError(data.notice.message);
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  const set = (id: string, patch: Partial<Row>) => setRows({ ...rows, [id]: { ...rows[id]!, ...patch } });

  return (
    <Box variant="white" p="xl" data-testid="manage-models">
      <H4 mb="lg">Models for {String(record?.title ?? record?.params?.name ?? '')}</H4>
      <Text mb="lg">Enabled models are offered to the organization's users, each user limited to the token limit set here (empty = the model's own limit).</Text>
      <Table>
        <TableHead>
          <TableRow>
            <TableCell>Model</TableCell>
            <TableCell>Availability</TableCell>
            <TableCell>Enabled for users</TableCell>
            <TableCell style={{ width: 220 }}>Token limit per user</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {models.map((m) => {
            const r = rows[m.id]!;
            return (
              <TableRow key={m.id} data-testid="model-row" data-model={m.name} style={!m.eligible && !r.enabled ? { opacity: 0.6 } : undefined}>
                <TableCell>
                  <FeatherIcon name={m.icon} fallback="Cpu" />
                  {m.name} {m.custom ? <Badge size="sm">own</Badge> : null}
                  <Muted>{m.provider}</Muted>
                </TableCell>
                <TableCell>
                  {m.eligible ? (
                    <span>
                      {m.isFree ? 'Free' : `From ${m.requiredPlan.toLowerCase()}`}
                      {m.trialEndsAt ? ` · trial until ${m.trialEndsAt.slice(0, 10)}` : m.isTrial ? ` · ${m.trialDays}-day trial` : ''}
                    </span>
                  ) : (
                    <span style={{ color: '#C20012' }}>{m.message}</span>
                  )}
                </TableCell>
                <TableCell>
                  <input type="checkbox" aria-label={`Enable ${m.name} for users`} checked={r.enabled} onChange={(e) => set(m.id, { enabled: e.target.checked })} />
                </TableCell>
                <TableCell>
                  <input
                    type="number"
                    min={0}
                    aria-label={`Token limit per user for ${m.name}`}
                    style={field}
                    value={r.limit}
                    placeholder={m.tokenLimitAmount == null ? "Model's limit (none)" : `Model's limit (${grouped(m.tokenLimitAmount)})`}
                    onChange={(e) => set(m.id, { limit: e.target.value })}
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <ErrorLine message={error} />
      <Box mt="xl">
        <Button type="button" variant="contained" disabled={busy || changed.length === 0} onClick={save} data-testid="manage-models-save">
          {busy ? <Icon icon="Loader" spin /> : null}
          {changed.length ? `Save ${changed.length === 1 ? '1 change' : `${changed.length} changes`}` : 'No changes'}
        </Button>
      </Box>
    </Box>
  );
};

export default ActionManageModels;
