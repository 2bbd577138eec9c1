/** Removes secrets from a text. */
export type Redact = (text: string) => string;

const URL_PASSWORD = /\b(postgres(?:ql)?:\/\/[^:/?#\s@]+:)[^@\s]*@/gi;
const JWT = /\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]{6,}/g;
const SUPABASE_SECRET = /\bsb_secret_[\w-]+/g;

/**
 * Builds a redactor that replaces each given secret (and its URL-encoded form), passwords in
 * connection strings, JWTs and Supabase secret keys by `***`.
 */
export function createRedactor(secrets: readonly (string | null | undefined)[]): Redact {
  const list = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 3) continue;
    list.add(secret);
    list.add(encodeURIComponent(secret));
  }
  const ordered = [...list].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of ordered) out = out.split(secret).join('***');
    return out.replace(URL_PASSWORD, '$1***@').replace(JWT, '***').replace(SUPABASE_SECRET, '***');
  };
}

/** Secrets of a postgres connection string: the password (raw and decoded) and the string itself. */
export function connectionStringSecrets(connectionString: string | undefined): string[] {
  if (!connectionString) return [];
  const out = [connectionString];
  const match = /^[a-z]+:\/\/[^:/?#@]*:([^@]*)@/i.exec(connectionString);
  const raw = match?.[1];
  if (raw) {
    out.push(raw);
    try {
      out.push(decodeURIComponent(raw));
    } catch {
      // not URL-encoded
    }
  }
  return out;
}

/**
 * A redactor for text that may hold `connectionString` or its password (raw or decoded), e.g.
 * messages of postgres.js or pg-boss errors: those, any other connection string's password, JWTs
 * and Supabase secret keys become `***`.
 */
export function connectionStringRedactor(connectionString: string): Redact {
  return createRedactor(connectionStringSecrets(connectionString));
}
