/** @packageDocumentation placeholder until the package lands. */
export const packageName = '@racesync/sync-core';
