import { Prisma } from '@prisma/client';

interface PgCause {
  originalCode?: string;
  kind?: string;
}

/** The PostgreSQL SQLSTATE behind a Prisma / driver-adapter error, if any ('23505' unique, '55P03' lock timeout...). */
export function pgErrorCode(e: unknown): string | undefined {
  const err = e as { name?: string; code?: string; meta?: { driverAdapterError?: { cause?: PgCause } }; cause?: PgCause };
  if (e instanceof Prisma.PrismaClientKnownRequestError) {
    if (e.code === 'P2002') return '23505';
    return err.meta?.driverAdapterError?.cause?.originalCode;
  }
  if (err?.name === 'DriverAdapterError') return err.cause?.originalCode;
  return undefined;
}
