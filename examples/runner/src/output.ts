/**
 * Console output of the runners. Every line passes the redactor (API keys, service-role keys and
 * database passwords never reach the terminal or a log file). On a TTY a status line is kept at the
 * bottom and rewritten in place; otherwise (a pipe, a file, cron) only plain lines, no ANSI codes.
 */

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Replaces every secret, connection-string password and JWT-shaped token by `***`. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const sorted = [...new Set(secrets)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of sorted) out = out.split(secret).join('***');
    return (
      out
        // Any connection string's password, except a `<placeholder>` in a usage example.
        .replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)(?!<[a-z-]+>@)[^@\s]+@/gi, '$1***@')
        .replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, '***')
    );
  };
}

export interface Output {
  /** A permanent line (stdout). */
  line(text: string): void;
  /** A warning or error line (stderr). */
  error(text: string): void;
  /** The TTY status line (ignored when not a TTY). */
  status(text: string): void;
  readonly tty: boolean;
  readonly redact: (text: string) => string;
}

const CLEAR = '\r\x1b[2K';

export function createOutput(stdout: Writable, stderr: Writable, redact: (text: string) => string): Output {
  const tty = stdout.isTTY === true;
  let current = '';
  const fit = (text: string) => {
    const width = stdout.columns ?? 120;
    return text.length > width - 1 ? `${text.slice(0, Math.max(width - 2, 10))}…` : text;
  };
  const write = (stream: Writable, text: string) => {
    try {
      stream.write(text);
    } catch {
      // a closed pipe must not break the sync
    }
  };
  return {
    tty,
    redact,
    line(text) {
      const clean = redact(text);
      if (tty && current) write(stdout, `${CLEAR}${clean}\n${current}`);
      else write(stdout, `${clean}\n`);
    },
    error(text) {
      const clean = redact(text);
      if (tty && current) write(stdout, CLEAR);
      write(stderr, `${clean}\n`);
      if (tty && current) write(stdout, current);
    },
    status(text) {
      if (!tty) return;
      current = text ? fit(redact(text)) : '';
      write(stdout, `${CLEAR}${current}`);
    },
  };
}
