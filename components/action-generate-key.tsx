import React, { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, DatePicker, FormGroup, H4, Icon, Label, Text } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import SecretOnce from './action-secret-once.js';
import { ErrorLine, failureOf, field, recordCall, withRefresh } from './action-ui.js';
import { fromUtcWallClock, parseInstant, utcWallClock } from './utc-dates.js';

interface RealmChoice {
  id: string;
  name: string;
  isDefault: boolean;
}

const DEFAULT_SCOPES = ['models:read', 'usage:write'];

/** "Generate key" from a realm (for its owner, in that realm) or a user (owned by them): the form, then the secret once. */
const ActionGenerateKey: React.FC<ActionProps> = ({ action, resource, record }) => {
  const custom = (action.custom ?? {}) as { scopes: string[]; types: string[]; from: 'Realm' | 'User' };
  const addNotice = useNotice();
  const navigate = useNavigate();
  const recordId = String(record!.id);
  const [realms, setRealms] = useState<RealmChoice[]>([]);
  const [form, setForm] = useState({ name: '', description: '', type: 'USER', maxTokens: '', rateLimitPerMinute: '', expiresAt: '', realmId: '' });
  const [scopes, setScopes] = useState<string[]>(DEFAULT_SCOPES);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<{ secret: string; url: string; prefix: string } | null>(null);

  useEffect(() => {
    if (custom.from !== 'User') return;
    recordCall(resource.id, recordId, action.name)
      .then((d) => setRealms((d.realms ?? []) as RealmChoice[]))
      .catch(() => setRealms([]));
  }, [recordId]);

  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => setForm({ ...form, [k]: e.target.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = await recordCall(resource.id, recordId, action.name, {
        ...form,
        // Already the UTC instant the picker showed (see below).
        expiresAt: form.expiresAt,
        scopes: JSON.stringify(scopes),
      });
      if (data.notice) addNotice(data.notice);
      if (data.secretOnce) setIssued({ secret: data.secretOnce, url: data.newKey.url, prefix: data.newKey.prefix });
      else setError(data.notice?.message ?? 'No key was created');
    } catch (err) {
      setError(failureOf(err));
    } finally {
      setBusy(false);
    }
  };

  if (issued) {
    return (
      <Box variant="white" p="xl">
        <SecretOnce
          secret={issued.secret}
          title={`API key "${form.name}" created`}
          what="API key"
          doneLabel="I have copied it — open the key"
          onDone={() => {
            const url = issued.url;
            setIssued(null);
            navigate(withRefresh(url));
          }}
        >
          <Text>Lists show it as {issued.prefix}…</Text>
        </SecretOnce>
      </Box>
    );
  }

  const owner = custom.from === 'Realm' ? `in this realm, owned by its owner` : 'owned by this user';
  return (
    <Box as="form" variant="white" p="xl" onSubmit={submit} data-testid="generate-key">
      <H4 mb="lg">New API key {owner}</H4>
      <FormGroup>
        <Label htmlFor="gk-name" required>
          Name
        </Label>
        <input id="gk-name" name="name" style={field} value={form.name} onChange={set('name')} maxLength={100} required />
      </FormGroup>
      <FormGroup>
        <Label htmlFor="gk-description">Description</Label>
        <textarea id="gk-description" name="description" style={{ ...field, minHeight: 60 }} value={form.description} onChange={set('description')} />
      </FormGroup>
      {custom.from === 'User' ? (
        <FormGroup>
          <Label htmlFor="gk-realm">Realm</Label>
          <select id="gk-realm" name="realmId" style={field} value={form.realmId} onChange={set('realmId')}>
            <option value="">The user's default realm</option>
            {realms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
                {r.isDefault ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </FormGroup>
      ) : null}
      <FormGroup>
        <Label htmlFor="gk-type">Type</Label>
        <select id="gk-type" name="type" style={field} value={form.type} onChange={set('type')}>
          {(custom.types ?? []).map((t) => (
            <option key={t} value={t}>
              {t.charAt(0) + t.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </FormGroup>
      <FormGroup>
        <Label>Scopes</Label>
        {(custom.scopes ?? []).map((s) => (
          <label key={s} style={{ display: 'inline-block', marginRight: 18, cursor: 'pointer' }}>
            <input type="checkbox" name="scopes" value={s} checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} style={{ marginRight: 6 }} />
            {s}
          </label>
        ))}
      </FormGroup>
      <Box flex style={{ gap: 16 }}>
        <FormGroup style={{ flex: 1 }}>
          <Label htmlFor="gk-max">Max tokens per request</Label>
          <input id="gk-max" name="maxTokens" type="number" min={1} style={field} value={form.maxTokens} onChange={set('maxTokens')} placeholder="No limit" />
        </FormGroup>
        <FormGroup style={{ flex: 1 }}>
          <Label htmlFor="gk-rpm">Requests per minute</Label>
          <input id="gk-rpm" name="rateLimitPerMinute" type="number" min={1} style={field} value={form.rateLimitPerMinute} onChange={set('rateLimitPerMinute')} placeholder="No limit" />
        </FormGroup>
        <FormGroup style={{ flex: 1 }}>
          <Label htmlFor="gk-expires">Expires (UTC)</Label>
          {/* The panel's date format, ISO and UTC, as in the lists and the key's edit form. */}
          <DatePicker
            id="gk-expires"
            name="expiresAt"
            propertyType="datetime"
            dateFormat="yyyy-MM-dd HH:mm"
            placeholderText="Never"
            inputMask={{ mask: [...'dddd-dd-dd dd:dd'].map((c) => (c === 'd' ? { regex: '\\d' } : c)) } as never}
            value={parseInstant(form.expiresAt) ? utcWallClock(parseInstant(form.expiresAt)!) : ''}
            onChange={(iso) => {
              const picked = parseInstant(iso);
              setForm({ ...form, expiresAt: picked ? fromUtcWallClock(picked).toISOString() : '' });
            }}
          />
        </FormGroup>
      </Box>
      <Text mb="lg" style={{ color: '#898A9A' }}>
        The key may use every model its owner may use; restrict it later on the key's edit page.
      </Text>
      <ErrorLine message={error} />
      <Button type="submit" variant="contained" disabled={busy} data-testid="generate-key-submit">
        {busy ? <Icon icon="Loader" spin /> : null}
        Generate key
      </Button>
    </Box>
  );
};

export default ActionGenerateKey;
