-- 0024_hot_path_generic_plans: the functions of the hot path that take
-- arrays (the batch's two, and GET /quota's counter read) plan each statement
-- once per connection.
--
-- PL/pgSQL hands its statements to the plan cache, which plans the first five
-- executions with the call's values (custom plans) and then keeps a generic
-- plan only if that plan's estimated cost is no higher than the custom ones'.
-- With array arguments the custom plans always look cheaper (they know each
-- array's length), so most statements of these two functions were planned
-- anew on every batch: replaying one captured one-operation batch with
-- pgbench (-M simple, one client, ROLLBACK at the end), the lock function took
-- 1.51 ms as planned before and 0.68 ms with a generic plan, lock and write
-- together 2.7-3.6 ms against 1.6-2.4. Every statement here finds its rows by
-- key through an index (0023: sequential scans off for these functions), so
-- the plan does not depend on the values and one plan per connection is right.
-- `npm run bench:usage` at 32 connections, two alternating pairs: GET /quota
-- 563-639 -> 1007-1100 req/s (PostgreSQL CPU 1.54-1.72 -> 0.69-0.77 ms per
-- request), spread 660-757 -> 790-810 (1.21-1.42 -> 1.06-1.13 ms).
ALTER FUNCTION "rg_usage_batch_lock"(uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], timestamptz, uuid[], text[], uuid[], text[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION "rg_usage_batch_write"(uuid[], uuid[], bigint[], bigint[], bigint[], boolean[], uuid[], uuid[], timestamptz[], int[], uuid[], text[], uuid[], jsonb[], timestamptz, uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], text[], int[], int[], jsonb[], uuid[], uuid[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], jsonb[], jsonb[], timestamptz[], uuid[], uuid[], text[], bigint[], timestamptz[], int[], int[], uuid[], uuid[], date[], uuid[], uuid[], uuid[], bigint[], bigint[], bigint[], uuid[], date[], text[], bigint[]) SET plan_cache_mode = force_generic_plan;
-- GET /quota's read of the caller's counters takes arrays too.
ALTER FUNCTION "rg_caller_counters"(uuid, "QuotaSubject"[], uuid[], "QuotaMetric"[], timestamptz[]) SET plan_cache_mode = force_generic_plan;
