DROP FUNCTION "rg_caller_counters"(uuid, "QuotaSubject"[], uuid[], "QuotaMetric"[], timestamptz[]);
DROP FUNCTION "rg_api_key_now"(uuid);
