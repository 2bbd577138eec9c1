/** Structured logger; pino, console or anything with these methods fits. Every method is optional. */
export interface SyncLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** Logs nothing (the default). */
export const silentLogger: SyncLogger = {};
