DROP TABLE "api_key_rate_windows";
DROP TABLE "usage_reservations";
DROP TABLE "usage_idempotency_keys";
DROP TYPE "ReservationStatus";
