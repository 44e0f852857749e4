-- Superadmins may see which addresses the sign-in throttle holds, and unblock
-- one by deleting its row. Counting attempts stays with the sign-in code
-- (the 'system' context of policy rg_all).
CREATE POLICY rg_superadmin_read ON "login_throttle" FOR SELECT USING (rg_ctx_role() = 'SUPERADMIN');
CREATE POLICY rg_superadmin_delete ON "login_throttle" FOR DELETE USING (rg_ctx_role() = 'SUPERADMIN');
