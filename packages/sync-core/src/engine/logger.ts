import type { Logger } from '@racesync/zwift-client';

/**
 * Logs nothing (the engine's default). The `Logger` type is `@racesync/zwift-client`'s: pino's
 * order, `(fields, message)`, so one logger object (pino, or anything of that shape) serves client
 * and engine alike.
 */
export const silentLogger: Logger = {};
