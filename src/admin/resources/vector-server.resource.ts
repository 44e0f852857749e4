import type { ResourceFactory } from './resource-spec.js';
import { screen } from './screen-kit.js';
import { writeOnlySecrets } from './write-only-secrets.js';

/** Vector servers: the password and API key are write-only fields, encrypted at rest; pages say only whether they are set. */
export const vectorServerResource: ResourceFactory = ({ db, config }) => {
  const secrets = writeOnlySecrets(db, 'VectorServer', config.ENCRYPTION_KEY, [
    { input: 'password', column: 'passwordEncrypted' },
    { input: 'apiKey', column: 'apiKeyEncrypted' },
  ]);
  return {
    options: {
      ...screen({
        list: ['name', 'type', 'host', 'realm', 'isActive', 'lastConnectedAt'],
        filter: ['name', 'type', 'host', 'organization', 'user', 'realm', 'isActive'],
        show: [
          'name', 'type', 'host', 'port', 'database', 'collection', 'username', 'passwordStatus', 'apiKeyStatus',
          'organization', 'user', 'realm', 'isActive', 'lastConnectedAt', 'createdAt', 'updatedAt', 'id',
        ],
        edit: ['name', 'type', 'host', 'port', 'database', 'collection', 'username', 'password', 'apiKey', 'organization', 'user', 'realm', 'isActive'],
        properties: { ...secrets.properties, port: { type: 'number' } },
      }),
      sort: { sortBy: 'name', direction: 'asc' },
      actions: {
        show: { after: [secrets.after] },
        edit: { after: [secrets.after] },
        new: { after: [secrets.after] },
      },
    },
    writeSecrets: secrets.writeSecrets,
  };
};
