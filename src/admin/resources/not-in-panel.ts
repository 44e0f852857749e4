/**
 * Models the admin panel leaves out, each with the reason: tables only domain
 * code reads and writes (tokens, reservations, idempotency records...). Every
 * other model needs a screen (screen-factories.ts) and a sidebar group
 * (NAVIGATION in index.ts); test/extending/completeness.test.ts checks both.
 */
export const NOT_IN_PANEL: Record<string, string> = {
  ApiRefreshToken: 'hashes of API sign-in refresh tokens; ended by signing out, a password change, disabling or locking the user',
  UsageRefusal: 'daily counts of refused usage requests by limit; the dashboard reads them',
  UsageIdempotencyKey: "the hot path's first answer to each idempotency key; replays read it (src/domain/usage)",
  UsageReservation: 'holds for streamed calls; GET /quota shows what is held, the counters carry the amounts',
  ApiKeyRateWindow: "an API key's admissions in the current minute (requests per minute)",
  UsageDailyModelRollup: 'usage per organization, day and model (the daily rollups summed); the dashboard reads them',
  UsageDailyKeyRollup: 'usage per organization, day, user and API key (the daily rollups summed); the dashboard reads them',
  // realmgate:scaffold not-in-panel (e.g. RefreshToken: 'secrets of the API sign-in; users end them by signing out')
};
