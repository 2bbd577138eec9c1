const REDACTED = '[redacted]';

/** Returns a function that replaces every occurrence of `secret` in a string with `[redacted]`. */
export function createRedactor(secret: string | null): (text: string) => string {
  if (secret === null || secret.length === 0) return (text) => text;
  return (text) => (text.includes(secret) ? text.split(secret).join(REDACTED) : text);
}

/** Text excerpt of a value for error messages: JSON (or string) cut to `max` chars, redacted. */
export function excerptOf(value: unknown, redact: (text: string) => string, max = 200): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // Cyclic or nested too deep for the stack (a hostile body): String() would recurse too.
      text = Array.isArray(value) ? `[array of ${value.length}]` : Object.prototype.toString.call(value);
    }
  }
  text = redact(text);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
