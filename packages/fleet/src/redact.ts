/**
 * Removes the password of a PostgreSQL connection string from text (as written in the URL and
 * decoded), for the worker's log lines and errors: pg-boss and postgres.js messages are passed on.
 */
export function databaseUrlRedactor(databaseUrl: string): (text: string) => string {
  const secrets = new Set<string>();
  const raw = /^[a-z]+:\/\/[^:/?#@]*:([^@/?#]*)@/i.exec(databaseUrl)?.[1];
  if (raw) {
    secrets.add(raw);
    try {
      secrets.add(decodeURIComponent(raw));
    } catch {
      // not percent-encoded: the raw form is enough
    }
  }
  const forms = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((out, secret) => out.split(secret).join('***'), text);
}
