const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function reviver(key: string, value: unknown): unknown {
  return UNSAFE_KEYS.has(key) ? undefined : value;
}

/**
 * Whether `text` may hold one of the unsafe keys: written out (`proto` covers `__proto__` and
 * `prototype`), or hidden behind a `\u` escape (`"\u005f_proto__"` parses to `__proto__`).
 * `String#includes` is a vectorised search, cheaper than one alternation regex over the body.
 */
function mayHoldUnsafeKey(text: string): boolean {
  return text.includes('proto') || text.includes('constructor') || text.includes('\\u');
}

/**
 * `JSON.parse` that drops `__proto__`, `constructor` and `prototype` keys anywhere in the payload,
 * so no later copy of the data can pollute a prototype. The reviver only runs when one of those
 * words (or any `\u` escape) occurs in the text, so the common case stays on the fast path.
 * Throws `SyntaxError`.
 */
export function parseJsonSafe(text: string): unknown {
  return mayHoldUnsafeKey(text) ? JSON.parse(text, reviver) : JSON.parse(text);
}
