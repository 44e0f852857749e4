import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, DrawerContent, DrawerFooter, Icon } from '@adminjs/design-system';
import { BasePropertyComponent, useRecord, type ActionProps } from 'adminjs';
import SecretOnce from './action-secret-once.js';
import { withRefresh } from './action-ui.js';

/**
 * "Create new" API key: AdminJS's own form (the resource's edit properties),
 * except that on success the secret from the response (`secretOnce`, see
 * src/admin/actions/api-key.actions.ts) is shown once, with Copy, before going
 * on to the new key. It is never put in the URL, the record or storage.
 */
const ActionIssueKey: React.FC<ActionProps> = (props) => {
  const { resource, action } = props;
  const { record, handleChange, submit, loading } = useRecord(props.record, resource.id);
  const navigate = useNavigate();
  const [issued, setIssued] = useState<{ secret: string; next: string | null } | null>(null);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    submit().then((response) => {
      const data = response.data as { secretOnce?: string; redirectUrl?: string; record?: { id?: string; errors?: Record<string, unknown> } };
      if (data.secretOnce) {
        setIssued({ secret: data.secretOnce, next: data.redirectUrl ?? null });
        handleChange({ params: {}, populated: {}, errors: {} } as never);
      } else if (data.redirectUrl) {
        navigate(withRefresh(data.redirectUrl));
      }
    });
    return false;
  };

  if (issued) {
    return (
      <DrawerContent>
        <SecretOnce
          secret={issued.secret}
          title="Your new API key"
          what="API key"
          doneLabel="I have copied it — open the key"
          onDone={() => {
            const next = issued.next;
            setIssued(null);
            if (next) navigate(withRefresh(next));
          }}
        />
      </DrawerContent>
    );
  }

  return (
    <Box as="form" flex flexGrow={1} flexDirection="column" onSubmit={onSubmit} data-css={`${resource.id}-${action.name}-form`}>
      <DrawerContent>
        {resource.editProperties.map((property) => (
          <BasePropertyComponent key={property.propertyPath} where="edit" onChange={handleChange} property={property} resource={resource} record={record} />
        ))}
      </DrawerContent>
      <DrawerFooter>
        <Button variant="contained" type="submit" data-testid="button-save" disabled={loading}>
          {loading ? <Icon icon="Loader" spin /> : null}
          Create key
        </Button>
      </DrawerFooter>
    </Box>
  );
};

export default ActionIssueKey;
