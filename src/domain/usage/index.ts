// The hot path's public surface (routes, the Portkey hooks and tests import from here).
export { UsageEngine, type UsageEngineOptions } from './usage-engine.js';
export { recordUsage } from './record-usage.js';
export { holdReservation, extendReservation, settleReservation, releaseReservation } from './reservations.js';
export * from './usage-inputs.js';
export type { UsageAnswer, ReservationAnswer, LimitState, LimitName } from './usage-ops.js';
