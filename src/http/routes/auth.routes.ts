import { signInPolicyFrom } from '../../domain/auth/sign-in-policy.js';
import { changeOwnPassword } from '../../domain/auth/change-own-password.js';
import { signInForToken } from '../../domain/api-tokens/sign-in-for-token.js';
import { revokeTokenFamily, rotateRefreshToken, startTokenSession, type IssuedRefreshToken } from '../../domain/api-tokens/token-sessions.js';
import { signAccessToken } from '../auth/access-token.js';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { isoDateTime } from '../schemas/common.js';
import { z } from '../zod.js';

const tokenPairSchema = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string().openapi({ description: 'JWT (HS256), 15 minutes by default; send as Authorization: Bearer.' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires.' }),
    expiresAt: isoDateTime,
    refreshToken: z.string().openapi({ description: 'Shown once; trade it at POST /auth/refresh for a new pair. Stored only as an HMAC.' }),
    refreshExpiresAt: isoDateTime,
    mustChangePassword: z.boolean().openapi({ description: 'True after an admin set a temporary password: only GET /me and POST /me/password work until it is changed.' }),
  })
  .openapi('TokenPair', {
    example: {
      tokenType: 'Bearer',
      accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiI…',
      expiresIn: 900,
      expiresAt: '2026-01-31T12:15:00.000Z',
      refreshToken: 'rgr_3q2+7w…',
      refreshExpiresAt: '2026-03-02T12:00:00.000Z',
      mustChangePassword: false,
    },
  });

const credentialsSchema = z
  .object({
    email: z.string().min(1).max(254).openapi({ example: 'ops@acme.example' }),
    password: z.string().min(1).max(1024).openapi({ example: 'correct-horse-battery-staple' }),
  })
  .openapi('Credentials');

const refreshSchema = z.object({ refreshToken: z.string().min(1).max(200).openapi({ example: 'rgr_3q2…' }) }).openapi('RefreshRequest');

const passwordChangeSchema = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(12).max(200),
    confirmPassword: z.string().max(200),
  })
  .openapi('PasswordChange', { example: { currentPassword: 'temporary-from-admin', newPassword: 'a-new-long-passphrase', confirmPassword: 'a-new-long-passphrase' } });

/** POST /auth/token, /auth/refresh, /auth/logout and POST /me/password. */
export function authRoutes(api: Api): void {
  const { db, systemDb, config, metrics } = api.deps;
  const policy = signInPolicyFrom(config);
  const tokenDeps = { pepper: config.API_KEY_PEPPER, refreshDays: config.API_REFRESH_DAYS };

  const pair = async (issued: IssuedRefreshToken, mustChangePassword: boolean) => {
    const access = await signAccessToken(config.JWT_SECRET, { sub: issued.userId, sid: issued.familyId }, config.API_TOKEN_MINUTES);
    return {
      tokenType: 'Bearer' as const,
      accessToken: access.token,
      expiresIn: config.API_TOKEN_MINUTES * 60,
      expiresAt: access.expiresAt,
      refreshToken: issued.refreshToken,
      refreshExpiresAt: issued.expiresAt,
      mustChangePassword,
    };
  };

  defineRoute(api, {
    method: 'post',
    path: '/auth/token',
    operationId: 'createToken',
    summary: 'Sign in with email and password: a 15-minute access token and a refresh token',
    description:
      'The panel\'s sign-in rules: per-account lockout after repeated failures, per-IP throttle (429 with Retry-After), one answer for every failure.',
    tags: ['Auth'],
    auth: 'none',
    body: credentialsSchema,
    response: tokenPairSchema,
    errors: ['UNAUTHENTICATED', 'RATE_LIMITED'],
    async handle({ body, req, meta }) {
      const signedIn = await signInForToken(systemDb, { ...body, ip: req.ip ?? '' }, policy, tokenDeps, meta, (reason) => metrics.signInFailures.inc({ channel: 'api', reason }));
      return pair(signedIn, signedIn.mustChangePassword);
    },
  });

  defineRoute(api, {
    method: 'post',
    path: '/auth/refresh',
    operationId: 'refreshToken',
    summary: 'Trade a refresh token for a new pair (the old one is spent; reusing it ends the sign-in)',
    tags: ['Auth'],
    auth: 'none',
    body: refreshSchema,
    response: tokenPairSchema,
    errors: ['UNAUTHENTICATED'],
    async handle({ body, meta }) {
      const issued = await rotateRefreshToken(systemDb, body.refreshToken, tokenDeps, meta);
      return pair(issued, issued.mustChangePassword);
    },
  });

  defineRoute(api, {
    method: 'post',
    path: '/auth/logout',
    operationId: 'logout',
    summary: 'End the sign-in of a refresh token: it, its successors and their access tokens stop working',
    tags: ['Auth'],
    auth: 'none',
    body: refreshSchema,
    response: z.object({ revoked: z.number().int() }).openapi('LogoutResult', { example: { revoked: 1 } }),
    async handle({ body }) {
      return revokeTokenFamily(systemDb, body.refreshToken, tokenDeps);
    },
  });

  defineRoute(api, {
    method: 'post',
    path: '/me/password',
    operationId: 'changeOwnPassword',
    summary: 'Change your own password (required after a temporary one); a token sign-in gets a new token pair',
    description: 'Changing the password revokes every refresh token of the user (database trigger), so a JWT caller receives a fresh pair here.',
    tags: ['Caller'],
    auth: ['jwt', 'session'],
    allowPendingPasswordChange: true,
    body: passwordChangeSchema,
    response: z.object({ changed: z.literal(true), tokens: tokenPairSchema.nullable() }).openapi('PasswordChanged'),
    async handle({ body, principal, meta }) {
      await changeOwnPassword(db, principal.actor, body, meta);
      if (principal.via !== 'jwt' || !principal.user) return { changed: true as const, tokens: null };
      const issued = await startTokenSession(systemDb, principal.user.userId, tokenDeps, meta);
      return { changed: true as const, tokens: await pair(issued, false) };
    },
  });
}
