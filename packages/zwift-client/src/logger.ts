/**
 * One log method, pino's calling convention: structured fields first, then the message. Called
 * as a method of its logger (`logger.warn(fields, message)`), so pino's own methods work as they are.
 */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

/**
 * THE logger shape of racesync: the client, the sync engine (`@racesync/sync-core`) and the
 * simulator all take a logger of this type (they `import type { Logger } from
 * '@racesync/zwift-client'`), so one logger object serves them all. Every method is optional (a
 * missing one is silent). A pino logger instance is assignable as it is:
 *
 * @example
 * import pino from 'pino';
 * const client = createZwiftClient({ logger: pino() });
 *
 * The client never hands it the API key: fields and message are redacted first.
 */
export interface Logger {
  debug?: LogFn;
  info?: LogFn;
  warn?: LogFn;
  error?: LogFn;
}

/** Wraps a logger so every string it is given passes `redact` (belt and braces: nothing should hold the key). */
export function safeLogger(logger: Logger | undefined, redact: (text: string) => string): Required<Logger> {
  const wrap = (fn: LogFn | undefined): LogFn => {
    if (typeof fn !== 'function') return () => {};
    return (object, message) => {
      let clean: Record<string, unknown>;
      try {
        clean = JSON.parse(redact(JSON.stringify(object))) as Record<string, unknown>;
      } catch {
        clean = {};
      }
      try {
        fn.call(logger, clean, redact(message));
      } catch {
        // a failing logger must not break a request
      }
    };
  };
  return {
    debug: wrap(logger?.debug),
    info: wrap(logger?.info),
    warn: wrap(logger?.warn),
    error: wrap(logger?.error),
  };
}
