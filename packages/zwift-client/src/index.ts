/** @packageDocumentation placeholder until the package lands. */
export const packageName = '@racesync/zwift-client';
