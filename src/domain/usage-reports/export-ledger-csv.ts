import { to as copyTo } from 'pg-copy-streams';
import type { SqlReader } from '../../db/tenant-sql-reads.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { scopeWhere, type Where } from '../access/scope.js';
import { andWhere, usageLedgerWhere } from './list-ledger-page.js';
import { auditWhere, type AuditFilter, type UsageFilter } from './ledger-filters.js';
import { currentTenant, setTenantOnClient } from '../../db/tenant-context.js';
import { LoginPools } from '../../db/login-pools.js';
import { inlineParams } from '../../db/inline-params.js';
import { whereSql, type ColumnOf } from '../../db/where-sql.js';

type ColumnType = 'uuid' | 'timestamptz' | 'text' | 'int' | 'jsonb';
interface ExportColumn {
  /** the Prisma field, as scopes and filters name it */
  field: string;
  /** the column, which is also the CSV header */
  column: string;
  type: ColumnType;
}

const col = (field: string, column: string, type: ColumnType): ExportColumn => ({ field, column, type });

const USAGE_COLUMNS: ExportColumn[] = [
  col('occurredAt', 'occurred_at', 'timestamptz'), col('id', 'id', 'uuid'), col('organizationId', 'organization_id', 'uuid'),
  col('userId', 'user_id', 'uuid'), col('apiKeyId', 'api_key_id', 'uuid'), col('realmId', 'realm_id', 'uuid'), col('modelId', 'model_id', 'uuid'),
  col('idempotencyKey', 'idempotency_key', 'text'), col('inputTokens', 'input_tokens', 'int'), col('outputTokens', 'output_tokens', 'int'),
  col('totalTokens', 'total_tokens', 'int'), col('requests', 'requests', 'int'),
];
const AUDIT_COLUMNS: ExportColumn[] = [
  col('occurredAt', 'occurred_at', 'timestamptz'), col('id', 'id', 'uuid'), col('organizationId', 'organization_id', 'uuid'),
  col('actorId', 'actor_id', 'uuid'), col('actorRole', 'actor_role', 'text'), col('actorLabel', 'actor_label', 'text'),
  col('action', 'action', 'text'), col('resource', 'resource', 'text'), col('recordId', 'record_id', 'text'), col('ip', 'ip', 'text'),
  col('changes', 'changes', 'jsonb'),
];

/**
 * One exported column as SQL: instants in ISO 8601 UTC with milliseconds (as
 * JavaScript's toISOString, the columns are timestamptz(3)); JSON as its text;
 * text that a spreadsheet would run as a formula (a leading = + - @, tab or
 * carriage return) defused with an apostrophe.
 */
function selectExpression({ column, type }: ExportColumn): string {
  const c = `"${column}"`;
  if (type === 'timestamptz') return `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${c}`;
  if (type === 'jsonb') return `${c}::text AS ${c}`;
  if (type === 'text') return `CASE WHEN left(${c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || ${c} ELSE ${c} END AS ${c}`;
  return c;
}

/**
 * The COPY statement of a ledger export: the rows of `where` (null: none),
 * newest first, as CSV with a header line. Values are written as literals
 * (COPY takes no parameters) by inlineParams, each with its cast.
 */
function copySql(table: string, columns: ExportColumn[], where: Where | null): string {
  const columnOf: ColumnOf = Object.fromEntries(columns.map((c) => [c.field, { column: c.column, type: c.type }]));
  const values: unknown[] = [];
  const condition = where ? whereSql(where, columnOf, values) : 'FALSE';
  const select = `SELECT ${columns.map(selectExpression).join(', ')} FROM "${table}" WHERE ${condition} ORDER BY "occurred_at" DESC, "id" DESC`;
  return inlineParams(`COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER true)`, values);
}

/**
 * PostgreSQL ends CSV lines with LF; RFC 4180, and this export, with CRLF.
 * Every LF outside a quoted field ends a row (PostgreSQL quotes a value that
 * holds a CR or LF), so that is where a CR goes in. Chunks may end anywhere:
 * whether we are inside quotes is carried from one to the next.
 */
export async function* crlfLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let quoted = false;
  for await (const chunk of chunks) {
    let breaks = 0;
    let q: boolean = quoted;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 34) q = !q;
      else if (b === 10 && !q) breaks++;
    }
    if (breaks === 0) {
      quoted = q;
      yield chunk;
      continue;
    }
    const out = Buffer.allocUnsafe(chunk.length + breaks);
    let o = 0;
    let start = 0;
    q = quoted;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 34) q = !q;
      else if (b === 10 && !q) {
        o += chunk.copy(out, o, start, i);
        out[o++] = 13;
        start = i;
      }
    }
    chunk.copy(out, o, start);
    quoted = q;
    yield out;
  }
}

function mustRead(actor: Actor, resource: 'UsageEvent' | 'AuditLog'): Where {
  const scope = scopeWhere(actor, resource, 'read');
  if (!scope) throw new AppError('FORBIDDEN', 'You may not read this ledger');
  return scope;
}

/**
 * CSV exports of the usage ledger and the audit log, for a filter within the
 * actor's scope, newest first. The lists' own `where` (scopeWhere and the
 * filter's, whereSql) runs as one COPY in one read-only transaction, with the
 * request's tenant set as on every query (row-level security applies on the
 * tenant login) and sorting off as for list pages (ReadOptions.sort: each
 * filter has an index in list order). PostgreSQL writes the CSV; its bytes
 * pass through to the response without becoming JavaScript strings or rows,
 * read from the socket only as fast as the client takes them, so memory stays
 * flat for any number of rows, and the export is one consistent snapshot.
 *
 * COPY is not something Prisma can send, so the exports have node-postgres
 * pools of their own, one per login, opened on first use.
 */
export class LedgerCsvExports {
  private readonly pools: LoginPools;

  constructor(private readonly deps: { reads: SqlReader; tenantUrl: string; systemUrl: string }) {
    this.pools = new LoginPools(deps, { max: 4, idleTimeoutMillis: 10_000, application_name: 'realmgate-export' });
  }

  /** The usage ledger (header: occurred_at,id,organization_id,user_id,api_key_id,realm_id,model_id,idempotency_key,input_tokens,output_tokens,total_tokens,requests). */
  async *usage(actor: Actor, filter: UsageFilter): AsyncGenerator<Buffer> {
    const scope = mustRead(actor, 'UsageEvent');
    yield* this.copy(copySql('usage_events', USAGE_COLUMNS, await usageLedgerWhere(this.deps.reads, scope, filter)));
  }

  /** The audit log (header: occurred_at,id,organization_id,actor_id,actor_role,actor_label,action,resource,record_id,ip,changes). */
  async *audit(actor: Actor, filter: AuditFilter): AsyncGenerator<Buffer> {
    const scope = mustRead(actor, 'AuditLog');
    yield* this.copy(copySql('audit_logs', AUDIT_COLUMNS, andWhere(scope, auditWhere(filter))));
  }

  close(): Promise<void> {
    return this.pools.close();
  }

  private async *copy(sql: string): AsyncGenerator<Buffer> {
    const tenant = currentTenant();
    const client = await this.pools.forTenant(tenant).connect();
    let stream: ReturnType<typeof copyTo> | undefined;
    let finished = false;
    // A connection that dies mid-COPY fails the stream (and so the export); the
    // client's own 'error' event must not also go unheard and end the process.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      await client.query('BEGIN READ ONLY');
      await setTenantOnClient(client, tenant);
      await client.query('SET LOCAL enable_sort = off');
      stream = client.query(copyTo(sql));
      yield* crlfLines(stream);
      await client.query('COMMIT');
      finished = true;
    } finally {
      // Stopped early (the client went away) or failed: the connection may be
      // mid-COPY, so it is closed rather than handed to the next export.
      stream?.on('error', ignore);
      client.off('error', ignore);
      client.release(finished ? undefined : true);
    }
  }
}
