DROP POLICY IF EXISTS rg_superadmin_delete ON "login_throttle";
DROP POLICY IF EXISTS rg_superadmin_read ON "login_throttle";
