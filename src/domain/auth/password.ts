import argon2 from 'argon2';

// OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1, or an
// equivalent trade. We take m=32 MiB, t=2: about 90 ms per hash on this 2-core box.
const OPTIONS = { type: argon2.argon2id, memoryCost: 32_768, timeCost: 2, parallelism: 1 } as const;

/** argon2id hash in PHC format (salt included). */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, OPTIONS);
}

/** Constant-time check; false for a malformed hash rather than throwing. */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/** A valid hash of a random password: verify against it when the user is unknown, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`);
  return decoy;
}

/** True when a hash was made with weaker parameters than today's and should be redone at sign-in. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, OPTIONS);
}
