import { SyncConfigError } from '../errors/config-error.js';
import type { SyncEngineOptions } from './create-sync-engine.js';

function assertFunction(value: unknown, path: string): void {
  if (typeof value !== 'function') throw new SyncConfigError(path, 'must be a function');
}

const OPTION_NAMES = new Set([
  'source',
  'storage',
  'team',
  'clock',
  'policy',
  'logger',
  'instanceId',
  'useLeases',
  'followerFeed',
]);

/** Checks every option of `createSyncEngine`; throws `SyncConfigError` naming the first one at fault. */
export function validateEngineOptions(options: SyncEngineOptions): void {
  if (!options || typeof options !== 'object') throw new SyncConfigError('options', 'must be an object');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      throw new SyncConfigError(
        name,
        `is not an option of createSyncEngine (${[...OPTION_NAMES].join(', ')})`,
      );
    }
  }
  const { source, storage, team } = options;
  if (!source) throw new SyncConfigError('source', 'is required (e.g. createZwiftClient({ apiKey }))');
  assertFunction(source.riders?.getMany, 'source.riders.getMany');
  assertFunction(source.events?.upcoming, 'source.events.upcoming');
  assertFunction(source.events?.signups, 'source.events.signups');
  assertFunction(source.results?.forEvent, 'source.results.forEvent');
  if (!storage) throw new SyncConfigError('storage', 'is required (e.g. createMemoryStorage())');
  for (const method of [
    'getTeam',
    'writeRiders',
    'upsertEvents',
    'applySignups',
    'applyResults',
    'putJobState',
  ] as const) {
    assertFunction(storage[method], `storage.${method}`);
  }
  if (!team || (team.riderIds === undefined && team.clubId === undefined)) {
    throw new SyncConfigError('team', 'give riderIds, clubId, or both');
  }
  if (team.riderIds !== undefined) {
    if (!Array.isArray(team.riderIds))
      throw new SyncConfigError('team.riderIds', 'must be an array of rider ids');
    team.riderIds.forEach((id, i) => {
      if (!Number.isSafeInteger(id) || id <= 0) {
        throw new SyncConfigError(
          `team.riderIds[${i}]`,
          `must be a positive integer rider id (got ${String(id)})`,
        );
      }
    });
  }
  if (team.clubId !== undefined) {
    if (!Number.isSafeInteger(team.clubId) || team.clubId <= 0) {
      throw new SyncConfigError(
        'team.clubId',
        `must be a positive integer club id (got ${String(team.clubId)})`,
      );
    }
    assertFunction(source.clubs?.members, 'source.clubs.members');
  }
  if (options.clock !== undefined) {
    if (options.clock === null || typeof options.clock !== 'object') {
      throw new SyncConfigError('clock', 'must be an object with now() and sleep(ms, signal)');
    }
    assertFunction(options.clock.now, 'clock.now');
    assertFunction(options.clock.sleep, 'clock.sleep');
  }
  if (options.logger !== undefined) {
    if (options.logger === null || typeof options.logger !== 'object') {
      throw new SyncConfigError('logger', 'must be an object with debug/info/warn/error methods (pino fits)');
    }
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (options.logger[level] !== undefined) assertFunction(options.logger[level], `logger.${level}`);
    }
  }
  if (
    options.instanceId !== undefined &&
    (typeof options.instanceId !== 'string' || options.instanceId === '')
  ) {
    throw new SyncConfigError('instanceId', `must be a non-empty string (got ${String(options.instanceId)})`);
  }
  if (options.followerFeed !== undefined) {
    if (typeof options.followerFeed !== 'boolean') {
      throw new SyncConfigError(
        'followerFeed',
        `must be true or false (got ${String(options.followerFeed)})`,
      );
    }
    if (options.followerFeed) {
      assertFunction(source.zwift?.events?.search, 'source.zwift.events.search');
      assertFunction(source.zwift?.subgroups?.entrants, 'source.zwift.subgroups.entrants');
    }
  }
  if (options.useLeases !== undefined) {
    if (typeof options.useLeases !== 'boolean') {
      throw new SyncConfigError('useLeases', `must be true or false (got ${String(options.useLeases)})`);
    }
    if (options.useLeases && !storage.leases) {
      throw new SyncConfigError('useLeases', 'needs a storage with leases (this storage has none)');
    }
  }
}
