import crypto from 'node:crypto';

/** `rgr_` + 43 base64url characters (256 random bits). */
export const REFRESH_PREFIX = 'rgr_';
const SHAPE = /^rgr_[A-Za-z0-9_-]{43}$/;

export const generateRefreshToken = () => `${REFRESH_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
export const isWellFormedRefreshToken = (token: unknown): token is string => typeof token === 'string' && SHAPE.test(token);

/** HMAC-SHA256(pepper, token) as hex: all the database keeps. */
export const hashRefreshToken = (pepper: string, token: string) => crypto.createHmac('sha256', pepper).update(`refresh:${token}`).digest('hex');
