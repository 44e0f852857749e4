import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, H4, Icon, Text } from '@adminjs/design-system';
import { useNotice, ViewHelpers, type ActionProps } from 'adminjs';
import SecretOnce from './action-secret-once.js';
import { ErrorLine, failureOf, recordCall, withRefresh } from './action-ui.js';

/** "Set temporary password": confirm, then the generated password shown once (only its hash is stored). */
const ActionTemporaryPassword: React.FC<ActionProps> = ({ action, resource, record }) => {
  const addNotice = useNotice();
  const navigate = useNavigate();
  const recordId = String(record!.id);
  const who = String(record?.params?.email ?? record?.title ?? 'this user');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [password, setPassword] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await recordCall(resource.id, recordId, action.name, { confirm: 'yes' });
      if (data.notice) addNotice(data.notice);
      if (data.secretOnce) setPassword(data.secretOnce);
      else setError(data.notice?.message ?? 'No password was set');
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (password) {
    return (
      <Box variant="white" p="xl">
        <SecretOnce
          secret={password}
          title={`Temporary password for ${who}`}
          what="temporary password"
          doneLabel="I have copied it — back to the user"
          onDone={() => {
            setPassword(null);
            navigate(withRefresh(new ViewHelpers().recordActionUrl({ resourceId: resource.id, recordId, actionName: 'show' })));
          }}
        >
          <Text>Give it to them over a channel you trust. They must choose a new password when they next sign in.</Text>
        </SecretOnce>
      </Box>
    );
  }

  return (
    <Box variant="white" p="xl" data-testid="temporary-password">
      <H4 mb="lg">Set a temporary password for {who}?</H4>
      <Text mb="lg">A new random password replaces the current one at once and is shown to you once. {who} is signed out everywhere and must change it at the next sign-in.</Text>
      <ErrorLine message={error} />
      <Button type="button" variant="contained" color="danger" disabled={busy} onClick={confirm} data-testid="action-confirm-button">
        {busy ? <Icon icon="Loader" spin /> : null}
        Set temporary password
      </Button>
    </Box>
  );
};

export default ActionTemporaryPassword;
