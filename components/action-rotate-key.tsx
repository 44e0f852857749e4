import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, H4, Icon, Text } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import SecretOnce from './action-secret-once.js';
import { ErrorLine, failureOf, recordCall, withRefresh } from './action-ui.js';

interface NewKey {
  id: string;
  prefix: string;
  url: string;
}

/** Rotate an API key: pick how long the old secret keeps working, get the new secret once. */
const ActionRotateKey: React.FC<ActionProps> = ({ action, resource, record }) => {
  const choices = ((action.custom ?? {}).graceChoices ?? []) as { value: number; label: string }[];
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [grace, setGrace] = useState<number>(choices[2]?.value ?? 0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ secret: string; newKey: NewKey; message: string } | null>(null);

  const rotate = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await recordCall(resource.id, String(record!.id), action.name, { graceSeconds: String(grace) });
      if (data.notice) addNotice(data.notice);
      if (data.secretOnce) setResult({ secret: data.secretOnce, newKey: data.newKey as NewKey, message: data.notice?.message ?? '' });
      else setError(data.notice?.message ?? 'The key was not rotated');
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (result) {
    return (
      <Box variant="white" p="xl">
        <SecretOnce
          secret={result.secret}
          title={`New secret for "${String(record?.params?.name ?? '')}"`}
          what="API key"
          doneLabel="I have copied it — open the new key"
          onDone={() => {
            const url = result.newKey.url;
            setResult(null);
            navigate(withRefresh(url));
          }}
        >
          <Text>
            New key {result.newKey.prefix}… — {result.message}.
          </Text>
        </SecretOnce>
      </Box>
    );
  }

  return (
    <Box variant="white" p="xl" data-testid="rotate-key">
      <H4 mb="lg">Rotate this API key</H4>
      <Text mb="lg">A new secret replaces this one, with the same name, scopes, limits, realm and models. How long should the old secret keep working?</Text>
      <Box mb="xl" role="radiogroup">
        {choices.map((c) => (
          <label key={c.value} style={{ display: 'block', padding: '6px 0', cursor: 'pointer' }}>
            <input type="radio" name="graceSeconds" value={c.value} checked={grace === c.value} onChange={() => setGrace(c.value)} style={{ marginRight: 8 }} />
            {c.label}
          </label>
        ))}
      </Box>
      <ErrorLine message={error} />
      <Button type="button" variant="contained" disabled={busy} onClick={rotate} data-testid="rotate-key-submit">
        {busy ? <Icon icon="Loader" spin /> : null}
        Rotate key
      </Button>
    </Box>
  );
};

export default ActionRotateKey;
