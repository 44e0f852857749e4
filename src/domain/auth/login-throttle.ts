import { Prisma } from '@prisma/client';
import type { Tx } from '../shared/actor-transaction.js';
import type { SignInPolicy } from './sign-in-policy.js';

type ThrottlePolicy = Pick<SignInPolicy, 'ipMaxAttempts' | 'ipWindowMinutes' | 'ipBlockMinutes'>;

/** Longest IP text we key on (IPv6 with a zone id fits); anything longer is cut, not trusted. */
const MAX_IP = 64;

/**
 * Takes one of the IP's sign-in slots before the password is checked, in one
 * conditional UPSERT, so a burst of parallel requests cannot all slip past a
 * read-then-write check: true = go ahead, false = the IP is blocked. Slots
 * are given back by releaseIpAttempt when the password was right, so what
 * stays counted are failures (and attempts still in flight). The window is
 * fixed: it starts at the first attempt and is forgotten once it has passed.
 * Exceeding the limit blocks the IP for ipBlockMinutes; blocked attempts are
 * not counted, so the block ends on time.
 */
export async function reserveIpAttempt(tx: Tx, ip: string, policy: ThrottlePolicy): Promise<boolean> {
  const window = Prisma.sql`make_interval(mins => ${policy.ipWindowMinutes}::int)`;
  const expired = Prisma.sql`t."window_start" <= now() - ${window}`;
  const next = Prisma.sql`(CASE WHEN ${expired} THEN 1 ELSE t."attempts" + 1 END)`;
  const rows = await tx.$queryRaw<{ attempts: number }[]>`
    INSERT INTO "login_throttle" AS t ("ip", "attempts", "window_start", "blocked_until")
    VALUES (${ip.slice(0, MAX_IP)}, 1, now(), NULL)
    ON CONFLICT ("ip") DO UPDATE SET
      "attempts" = ${next},
      "window_start" = CASE WHEN ${expired} THEN now() ELSE t."window_start" END,
      "blocked_until" = CASE WHEN ${next} > ${policy.ipMaxAttempts}::int
                             THEN now() + make_interval(mins => ${policy.ipBlockMinutes}::int)
                             ELSE NULL END
    WHERE t."blocked_until" IS NULL OR t."blocked_until" <= now()
    RETURNING "attempts"`;
  // No row: the conflicting row is blocked (its WHERE failed).
  return rows.length === 1 && rows[0]!.attempts <= policy.ipMaxAttempts;
}

/** Gives back the slot a successful sign-in took. */
export async function releaseIpAttempt(tx: Tx, ip: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE "login_throttle" SET "attempts" = "attempts" - 1
    WHERE "ip" = ${ip.slice(0, MAX_IP)} AND "attempts" > 0 AND "blocked_until" IS NULL`;
}

/** Forgets IPs whose window and block are both over (they would start afresh anyway); returns how many. */
export async function pruneLoginThrottle(tx: Tx, policy: Pick<SignInPolicy, 'ipWindowMinutes'>): Promise<number> {
  return tx.$executeRaw`
    DELETE FROM "login_throttle"
    WHERE "window_start" <= now() - make_interval(mins => ${policy.ipWindowMinutes}::int)
      AND ("blocked_until" IS NULL OR "blocked_until" <= now())`;
}
