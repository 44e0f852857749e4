import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, H4, Icon, Text } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import { bulkCall, ErrorLine, failureOf, recordCall, withRefresh } from './action-ui.js';

interface ConfirmText {
  question: string;
  detail?: string;
  button: string;
  danger?: boolean;
}

/**
 * A confirmation for a record or bulk action that changes something: the
 * question and what will happen (from the action's `custom`), then one POST.
 * (AdminJS would run a component-less action as a GET; changes go by POST.)
 */
const ActionConfirm: React.FC<ActionProps> = ({ action, resource, record, records }) => {
  const text = (action.custom ?? {}) as ConfirmText;
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = record
        ? await recordCall(resource.id, String(record.id), action.name, { confirm: 'yes' })
        : await bulkCall(resource.id, (records ?? []).map((r) => String(r.id)), action.name, { confirm: 'yes' });
      if (data.notice) addNotice(data.notice);
      if (data.notice?.type === 'error') setError(data.notice.message);
      else if (data.redirectUrl) navigate(withRefresh(data.redirectUrl));
      else setDone(data.notice?.message ?? 'Done');
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="white" p="xl" data-testid="action-confirm">
      <H4 mb="lg">{text.question ?? 'Are you sure?'}</H4>
      {text.detail ? <Text mb="lg">{text.detail}</Text> : null}
      {records?.length ? (
        <Box as="ul" mb="lg" pl="xl" style={{ listStyle: 'disc' }}>
          {records.map((r) => (
            <li key={String(r.id)}>{r.title || String(r.id)}</li>
          ))}
        </Box>
      ) : null}
      <ErrorLine message={error} />
      {done ? (
        <Text data-testid="action-done">{done}</Text>
      ) : (
        <Button type="button" variant="contained" color={text.danger ? 'danger' : 'primary'} disabled={busy} onClick={confirm} data-testid="action-confirm-button">
          {busy ? <Icon icon="Loader" spin /> : null}
          {text.button ?? 'Confirm'}
        </Button>
      )}
    </Box>
  );
};

export default ActionConfirm;
