import pg from 'pg';

/**
 * The text of every statement any node-postgres client of this process sends
 * while `fn` runs (Prisma's adapter, the session store and TenantSqlReads all
 * send through pg.Client), with what `fn` returned. For tests that count
 * round trips; run nothing else in parallel meanwhile.
 */
export async function statementsSentBy<T>(fn: () => Promise<T>): Promise<{ sent: string[]; result: T }> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    sent.push(typeof q === 'string' ? q : (q?.text ?? ''));
    return query.apply(this, args);
  } as never;
  try {
    return { sent, result: await fn() };
  } finally {
    pg.Client.prototype.query = query as never;
  }
}
