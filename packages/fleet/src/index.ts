/**
 * `@racesync/fleet`: many teams on one PostgreSQL job queue (pg-boss). The world's jobs (event feed,
 * signup lists, results) run once for the whole fleet and are applied to every team with a rider in
 * them; each team's roster runs per team with its own API key, and the riders per key (every team
 * whose key comes from one environment variable). Teams are rows of a table, added and removed while
 * workers run; any number of workers share the work and the rate limits.
 *
 * @packageDocumentation
 */
export type { FleetErrorKind } from './errors.js';
export { FleetError } from './errors.js';
export type { MigrateFleetOptions } from './migrate.js';
export { migrateFleet } from './migrate.js';
export type { Scope, Track } from './scoped-storage.js';
export { scopedStorage } from './scoped-storage.js';
export { fleetSql } from './sql.js';
export type { FleetTeam, FleetTeamInput, FleetTeams } from './teams.js';
export { fleetTeams, validateTeam } from './teams.js';
export type { FleetJobData, FleetWorker, FleetWorkerOptions } from './worker.js';
export { createFleetWorker, FLEET_QUEUE } from './worker.js';
