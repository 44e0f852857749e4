/**
 * How hard sign-in pushes back. Per account: after `maxAttempts` failures in a
 * row the account is LOCKED for `lockoutMinutes`. Per client IP, shared by every
 * app instance through PostgreSQL: at most `ipMaxAttempts` failed attempts in a
 * window of `ipWindowMinutes`; one more blocks the IP for `ipBlockMinutes`.
 */
export interface SignInPolicy {
  maxAttempts: number;
  lockoutMinutes: number;
  ipMaxAttempts: number;
  ipWindowMinutes: number;
  ipBlockMinutes: number;
}

export const DEFAULT_SIGN_IN_POLICY: Readonly<SignInPolicy> = Object.freeze({
  maxAttempts: 5,
  lockoutMinutes: 15,
  // Above the per-account limit so that one office behind a NAT can mistype a
  // few passwords, low enough that spraying many accounts from one IP stalls.
  ipMaxAttempts: 20,
  ipWindowMinutes: 15,
  ipBlockMinutes: 15,
});

/** The knobs as environment variables (src/config.ts); the IP ones are optional there. */
export interface SignInPolicyConfig {
  LOGIN_MAX_ATTEMPTS?: number;
  LOCKOUT_MINUTES?: number;
  LOGIN_IP_MAX_ATTEMPTS?: number;
  LOGIN_IP_WINDOW_MINUTES?: number;
  LOGIN_IP_BLOCK_MINUTES?: number;
}

/** The policy from configuration, defaults for whatever is not set. */
export function signInPolicyFrom(config: SignInPolicyConfig): SignInPolicy {
  const d = DEFAULT_SIGN_IN_POLICY;
  return {
    maxAttempts: config.LOGIN_MAX_ATTEMPTS ?? d.maxAttempts,
    lockoutMinutes: config.LOCKOUT_MINUTES ?? d.lockoutMinutes,
    ipMaxAttempts: config.LOGIN_IP_MAX_ATTEMPTS ?? d.ipMaxAttempts,
    ipWindowMinutes: config.LOGIN_IP_WINDOW_MINUTES ?? d.ipWindowMinutes,
    ipBlockMinutes: config.LOGIN_IP_BLOCK_MINUTES ?? d.ipBlockMinutes,
  };
}
