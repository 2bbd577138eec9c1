/**
 * A NUL character (`\u0000`) or a lone UTF-16 surrogate, as `JSON.stringify` escapes them, preceded
 * by an even number of backslashes (so a literal backslash followed by `u0000` is left alone).
 * PostgreSQL's text and jsonb cannot store either: one such string would fail its whole batch.
 */
const UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/**
 * `JSON.stringify`, with the characters PostgreSQL cannot store (NUL, lone surrogates) replaced
 * by U+FFFD, so one odd upstream string never fails a batch. `undefined` properties are dropped and
 * non-finite numbers become `null`, as JSON does.
 */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.includes('\\u') ? text.replace(UNSTORABLE, '$1\\ufffd') : text;
}

/** `value` made storable (see {@link toJsonText}); the same object when nothing had to change. */
export function toStorableJson<T>(value: T): T {
  const text = JSON.stringify(value) ?? 'null';
  if (!text.includes('\\u')) return value;
  const clean = text.replace(UNSTORABLE, '$1\\ufffd');
  return clean === text ? value : (JSON.parse(clean) as T);
}
