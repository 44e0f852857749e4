/**
 * Models the admin panel leaves out, each with the reason: tables only domain
 * code reads and writes (tokens, reservations, idempotency records...). Every
 * other model needs a screen (screen-factories.ts) and a sidebar group
 * (NAVIGATION in index.ts); test/extending/completeness.test.ts checks both.
 */
export const NOT_IN_PANEL: Record<string, string> = {
  ApiRefreshToken: 'hashes of API sign-in refresh tokens; ended by signing out, a password change, disabling or locking the user',
  UsageRefusal: 'daily counts of refused usage requests by limit; the dashboard reads them',
  // realmgate:scaffold not-in-panel (e.g. RefreshToken: 'secrets of the API sign-in; users end them by signing out')
};
