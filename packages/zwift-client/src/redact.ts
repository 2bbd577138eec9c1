const REDACTED = '[redacted]';

/** How many rotating secrets (access and refresh tokens) stay redacted after they were replaced. */
const ROTATING_KEPT = 16;

/**
 * The forms a secret can take in text the client handles: as is, JSON-escaped (inside a
 * serialised log line or excerpt), percent-encoded and form-encoded (inside a URL or a form body).
 */
function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  return [...forms].filter((form) => form.length > 0);
}

/**
 * The secrets of one client (API key, Zwift password and username, Zwift access and refresh
 * tokens) and the one function that removes them from any text. Tokens rotate: the last
 * {@link ROTATING_KEPT} stay redacted after they were replaced.
 */
export class Secrets {
  readonly #fixed: string[] = [];
  readonly #rotating: string[] = [];
  #patterns: string[] = [];

  constructor(fixed: readonly (string | null | undefined)[] = []) {
    for (const secret of fixed) if (typeof secret === 'string' && secret.length > 0) this.#fixed.push(secret);
    this.#rebuild();
  }

  /** Adds a token (or another secret that may be replaced later). */
  addRotating(secret: string): void {
    if (secret.length === 0 || this.#rotating.includes(secret) || this.#fixed.includes(secret)) return;
    this.#rotating.push(secret);
    if (this.#rotating.length > ROTATING_KEPT) this.#rotating.shift();
    this.#rebuild();
  }

  #rebuild(): void {
    const patterns = new Set<string>();
    for (const secret of [...this.#fixed, ...this.#rotating])
      for (const form of formsOf(secret)) patterns.add(form);
    // longest first: a secret containing a shorter one is replaced whole
    this.#patterns = [...patterns].sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret (in each of its forms) replaced by `[redacted]`. */
  readonly redact = (text: string): string => {
    let out = text;
    for (const pattern of this.#patterns) if (out.includes(pattern)) out = out.split(pattern).join(REDACTED);
    return out;
  };
}

/** Returns a function that replaces every occurrence of `secret` in a string with `[redacted]`. */
export function createRedactor(secret: string | null): (text: string) => string {
  return new Secrets([secret]).redact;
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
