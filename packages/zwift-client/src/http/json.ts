const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const UNSAFE_TEXT = /__proto__|constructor|prototype/;

function reviver(key: string, value: unknown): unknown {
  return UNSAFE_KEYS.has(key) ? undefined : value;
}

/**
 * `JSON.parse` that drops `__proto__`, `constructor` and `prototype` keys anywhere in the payload,
 * so no later copy of the data can pollute a prototype. The reviver only runs when one of those
 * words occurs in the text (the common case stays on the fast path). Throws `SyntaxError`.
 */
export function parseJsonSafe(text: string): unknown {
  return UNSAFE_TEXT.test(text) ? JSON.parse(text, reviver) : JSON.parse(text);
}
