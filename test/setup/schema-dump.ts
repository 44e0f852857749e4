import type pg from 'pg';

/**
 * ACLs equal to the built-in default print as empty: a GRANT followed by its REVOKE
 * leaves an explicit ACL that means the same as none.
 *
 * A textual description of every user object in the current database, read from
 * the catalogs (pg_dump is not installed here). Sorted and free of OIDs, so two
 * databases with the same schema give the same dump.
 */
export type SchemaDump = Record<string, string[]>;

// Namespaces PostgreSQL owns; everything else (public and any schema a migration adds) is ours.
const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'`;

const QUERIES: Record<string, string> = {
  schemas: `SELECT n.nspname || ' owner=' || pg_get_userbyid(n.nspowner)
      || ' acl=' || CASE WHEN n.nspacl IS NULL OR n.nspacl = acldefault('n'::"char", n.nspowner) THEN '' ELSE n.nspacl::text END AS line
    FROM pg_namespace n WHERE ${USER_NS}`,
  relations: `SELECT n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity || ' force_rls=' || c.relforcerowsecurity
      || ' partition=' || c.relispartition || coalesce(' bound=' || pg_get_expr(c.relpartbound, c.oid), '')
      || coalesce(' partkey=' || pg_get_partkeydef(c.oid), '')
      || ' acl=' || CASE WHEN c.relacl IS NULL OR c.relacl = acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner) THEN '' ELSE c.relacl::text END
      || coalesce(' comment=' || obj_description(c.oid, 'pg_class'), '') AS line
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')`,
  columns: `SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
      || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
      || CASE WHEN a.attgenerated <> '' THEN ' GENERATED(' || a.attgenerated::text || ') ' ELSE '' END
      || CASE WHEN a.attidentity <> '' THEN ' IDENTITY(' || a.attidentity::text || ')' ELSE '' END
      || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
      || coalesce(' COLLATE ' || co.collname, '')
      || coalesce(' comment=' || col_description(c.oid, a.attnum), '')
      || ' acl=' || coalesce(NULLIF(a.attacl, '{}')::text, '') AS line
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> (SELECT t.typcollation FROM pg_type t WHERE t.oid = a.atttypid)
    WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped`,
  indexes: `SELECT i.schemaname || '.' || i.indexname || ': ' || i.indexdef AS line FROM pg_indexes i
    JOIN pg_namespace n ON n.nspname = i.schemaname WHERE ${USER_NS}`,
  constraints: `SELECT n.nspname || '.' || coalesce(c.relname, t.typname) || '.' || con.conname || ' ' || con.contype::text
      || ' deferrable=' || con.condeferrable || ' deferred=' || con.condeferred || ' validated=' || con.convalidated
      || ': ' || pg_get_constraintdef(con.oid) AS line
    FROM pg_constraint con
    JOIN pg_namespace n ON n.oid = con.connamespace
    LEFT JOIN pg_class c ON c.oid = con.conrelid
    LEFT JOIN pg_type t ON t.oid = con.contypid
    WHERE ${USER_NS}`,
  triggers: `SELECT n.nspname || '.' || c.relname || '.' || tg.tgname || ' enabled=' || tg.tgenabled::text || ': ' || pg_get_triggerdef(tg.oid) AS line
    FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} AND NOT tg.tgisinternal`,
  policies: `SELECT p.schemaname || '.' || p.tablename || '.' || p.policyname || ' ' || p.permissive || ' ' || p.cmd
      || ' to=' || array_to_string(p.roles, ',') || coalesce(' using=' || p.qual, '') || coalesce(' check=' || p.with_check, '') AS line
    FROM pg_policies p JOIN pg_namespace n ON n.nspname = p.schemaname WHERE ${USER_NS}`,
  enums: `SELECT n.nspname || '.' || t.typname || ' = ' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) AS line
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE ${USER_NS} GROUP BY n.nspname, t.typname`,
  types: `SELECT n.nspname || '.' || t.typname || ' type=' || t.typtype::text || coalesce(' base=' || format_type(t.typbasetype, t.typtypmod), '')
      || ' notnull=' || t.typnotnull || coalesce(' default=' || t.typdefault, '') AS line
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_NS} AND t.typtype IN ('d', 'r', 'm', 'b', 'p')
      AND NOT (t.typcategory = 'A' AND t.typelem <> 0)`,
  functions: `SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') kind=' || p.prokind::text
      || ' secdef=' || p.prosecdef
      || ' acl=' || CASE WHEN p.proacl IS NULL OR p.proacl = acldefault('f'::"char", p.proowner) THEN '' ELSE p.proacl::text END || E'\n' || pg_get_functiondef(p.oid) AS line
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
    WHERE ${USER_NS} AND d.objid IS NULL AND p.prokind IN ('f', 'p', 'w')`,
  extensions: `SELECT e.extname || ' ' || e.extversion || ' in ' || n.nspname AS line
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'`,
  sequences: `SELECT s.schemaname || '.' || s.sequencename || ' ' || s.data_type || ' start=' || s.start_value || ' inc=' || s.increment_by
      || ' min=' || s.min_value || ' max=' || s.max_value || ' cycle=' || s.cycle AS line
    FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname WHERE ${USER_NS}`,
  default_privileges: `SELECT pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text AS line
    FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`,
  rules: `SELECT r.schemaname || '.' || r.tablename || '.' || r.rulename || ': ' || r.definition AS line
    FROM pg_rules r JOIN pg_namespace n ON n.nspname = r.schemaname WHERE ${USER_NS}`,
  views: `SELECT v.schemaname || '.' || v.viewname || ': ' || v.definition AS line
    FROM pg_views v JOIN pg_namespace n ON n.nspname = v.schemaname WHERE ${USER_NS}`,
};

export async function dumpSchema(client: pg.Client): Promise<SchemaDump> {
  const dump: SchemaDump = {};
  for (const [section, sql] of Object.entries(QUERIES)) {
    const { rows } = await client.query<{ line: string }>(sql);
    dump[section] = rows.map((r) => r.line).sort();
  }
  return dump;
}

/** Tables (and views, sequences, composite types) in user schemas, except the ones named. */
export async function userRelations(client: pg.Client, except: string[] = []): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND NOT (c.relname = ANY($1::text[]))
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i' AND d.refobjid IN (SELECT oid FROM pg_class WHERE relname = ANY($1::text[])))`,
    [except],
  );
  return rows.map((r) => r.name).sort();
}

/** User-defined types (enums, domains, ranges, composite types that are not a table's row type). */
export async function userTypes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_class c ON c.oid = t.typrelid
     WHERE ${USER_NS} AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
       AND (t.typrelid = 0 OR c.relkind = 'c')`,
  );
  return rows.map((r) => r.name).sort();
}
