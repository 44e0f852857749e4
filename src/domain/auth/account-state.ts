/**
 * One definition of "may this account sign in or keep a session", as SQL so
 * that the database clock decides (app instances' clocks may differ):
 *   ACTIVE                                   usable
 *   LOCKED with locked_until in the past     usable: the lock expired by itself
 *   LOCKED with locked_until NULL or future  locked (an admin's lock need not end)
 *   INACTIVE                                 disabled
 * Setting status back to ACTIVE is the unlock: a trigger (migration 0003) then
 * clears locked_until and the failure count; any change away from ACTIVE ends
 * the user's sessions.
 */
export function accountUsableSql(alias: string): string {
  // The rule itself is the SQL function rg_account_usable (migration 0018), so that
  // the hot path's batch function uses the same one; PostgreSQL inlines it.
  return `rg_account_usable(${alias}."status", ${alias}."locked_until")`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
