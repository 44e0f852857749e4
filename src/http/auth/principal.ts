import type { Actor } from '../../domain/shared/actor.js';
import type { AuthenticatedApiKey } from '../../domain/api-keys/authenticate-api-key.js';
import type { RequestMeta } from '../../domain/audit/record-audit.js';
import type { UserActor } from './load-principal-user.js';

export type SignInKind = 'api-key' | 'jwt' | 'session';

/** Who is calling the API, as the auth middleware established it for this request. */
export interface Principal {
  via: SignInKind;
  /**
   * The actor domain functions get. A person (JWT, session): the user as loaded
   * on this request. An API key with an owner: the owner with their current role
   * and `apiKeyId` set, so the role bounds the key and audit rows name the key.
   * An ownerless key: the api-key actor, which the scope helpers deny.
   */
  actor: Actor;
  /** The user acting (a key's owner), null for an ownerless key. */
  user: UserActor | null;
  /** The key's scopes; null for people, whose role alone decides. */
  scopes: readonly string[] | null;
  /** The authenticated key (limits, realm, the api-key actor for usage), null for people. */
  apiKey: AuthenticatedApiKey | null;
  /** The user must change a temporary password before anything but GET /me. */
  mustChangePassword: boolean;
  /** For audit rows. */
  meta: RequestMeta & { requestId: string };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the API's authentication (src/http/auth/authenticate.ts). */
      principal?: Principal;
    }
  }
}
