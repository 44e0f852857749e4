-- GET /quota's read of the limits themselves (src/domain/quotas/caller-quota.ts:
-- quotaOf): the organization's monthly quotas and, for an API key, its monthly
-- token budget, requests per minute and current rate window, in one statement
-- whose plan PL/pgSQL keeps, as 0020's reads do (they were two statements,
-- planned on every request). Caller's rights: row-level security applies on
-- the tenant login as before.
CREATE FUNCTION "rg_caller_limits"(org uuid, key_id uuid)
  RETURNS TABLE (monthly_token_quota float8, monthly_api_call_quota integer, max_tokens integer, rate_limit_per_minute integer, window_start timestamptz, requests integer)
  LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT o.monthly_token_quota::float8, o.monthly_api_call_quota, k.max_tokens, k.rate_limit_per_minute, w.window_start::timestamptz, w.requests
    FROM organizations o
    LEFT JOIN api_keys k ON k.organization_id = o.id AND k.id = key_id
    LEFT JOIN api_key_rate_windows w ON w.organization_id = k.organization_id AND w.api_key_id = k.id
   WHERE o.id = org;
END $$;
