DROP FUNCTION "rg_caller_limits"(uuid, uuid);
