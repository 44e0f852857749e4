import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, H4, Icon, Text } from '@adminjs/design-system';
import { useNotice, useTranslation, type ActionProps } from 'adminjs';
import { bulkCall, ErrorLine, failureOf, recordCall, withRefresh } from './action-ui.js';

interface DeleteWords {
  /** "organization" */
  singular: string;
  /** "organizations" */
  plural: string;
  /** What the button does, when deleting means something else ("End" a session). */
  verb?: string;
  /** The line under the question. */
  detail?: string;
}

/**
 * The delete (and bulk delete) confirmation, naming what goes: "Delete
 * organization Acme Marketing?" rather than AdminJS's "Do you really want to
 * remove this item?". The delete itself is a POST; a refusal (records that
 * still belong to it) shows here, in the server's words.
 */
const ActionDeleteRecord: React.FC<ActionProps> = ({ action, resource, record, records }) => {
  const words = (action.custom ?? {}) as DeleteWords;
  const { translateMessage } = useTranslation();
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const many = !record && (records?.length ?? 0) > 0;
  const count = records?.length ?? 0;
  const verb = words.verb ?? 'Delete';
  const question = many
    ? `${verb} ${count} ${count === 1 ? words.singular : words.plural}?`
    : `${verb} ${words.singular} ${record?.title || String(record?.id ?? '')}?`;

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = record
        ? await recordCall(resource.id, String(record.id), action.name, { confirm: 'yes' })
        : await bulkCall(resource.id, (records ?? []).map((r) => String(r.id)), action.name, { confirm: 'yes' });
      const notice = data.notice as (typeof data.notice & { options?: Record<string, unknown> }) | undefined;
      if (notice?.type === 'error') {
        setError(notice.message);
        return;
      }
      if (notice) addNotice({ ...notice, message: translateMessage(notice.message, resource.id, notice.options) });
      navigate(withRefresh(data.redirectUrl ?? `/admin/resources/${resource.id}`));
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="white" p="xl" data-testid="delete-confirm">
      <H4 mb="lg" data-testid="delete-question">
        {question}
      </H4>
      {many ? (
        <Box as="ul" mb="lg" pl="xl" style={{ listStyle: 'disc' }}>
          {(records ?? []).map((r) => (
            <li key={String(r.id)}>{r.title || String(r.id)}</li>
          ))}
        </Box>
      ) : null}
      <Text mb="lg">{words.detail ?? 'This cannot be undone.'}</Text>
      <ErrorLine message={error} />
      <Box flex style={{ gap: 8 }}>
        <Button type="button" variant="contained" color="danger" disabled={busy} onClick={confirm} data-testid="delete-confirm-button">
          {busy ? <Icon icon="Loader" spin /> : <Icon icon="Trash2" />}
          {verb}
        </Button>
        <Button type="button" variant="outlined" disabled={busy} onClick={() => navigate(-1)}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
};

export default ActionDeleteRecord;
