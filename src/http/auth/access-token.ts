import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../../domain/shared/app-error.js';

export const TOKEN_ISSUER = 'realmgate';
export const TOKEN_AUDIENCE = 'realmgate-api';

export interface AccessTokenClaims {
  /** user id */
  sub: string;
  /** the refresh-token family this access token was issued with: logout ends both */
  sid: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** A signed HS256 JWT for `claims`, valid `minutes`. */
export async function signAccessToken(secret: string, claims: AccessTokenClaims, minutes: number): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + minutes * 60;
  const token = await new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

const refused = () => new AppError('UNAUTHENTICATED', 'Invalid or expired token');

/** Verifies signature, algorithm, issuer, audience and expiry; any failure is the same UNAUTHENTICATED. */
export async function verifyAccessToken(secret: string, token: string): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, requiredClaims: ['sub', 'exp', 'sid'] });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw refused();
    return { sub: payload.sub, sid: payload.sid };
  } catch (e) {
    if (e instanceof AppError || e instanceof joseErrors.JOSEError || e instanceof TypeError) throw refused();
    throw refused();
  }
}

/** Three base64url segments: a JWT rather than an API key. */
export const looksLikeJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
