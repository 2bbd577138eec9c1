/** A log method, pino-style: `(object, message)`. */
export type LogFn = (object: Record<string, unknown>, message: string) => void;

/** Pino-like logger; every method is optional. The API key never reaches it. */
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
