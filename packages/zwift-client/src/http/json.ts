const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function reviver(key: string, value: unknown): unknown {
  return UNSAFE_KEYS.has(key) ? undefined : value;
}

/**
 * `JSON.parse` that drops `__proto__`, `constructor` and `prototype` keys anywhere in the payload,
 * so no later copy of the data can pollute a prototype. The reviver only runs when one of those
 * words occurs in the text (the common case stays on the fast path). Throws `SyntaxError`.
 */
export function parseJsonSafe(text: string): unknown {
  if (text.includes('__proto__') || text.includes('constructor') || text.includes('prototype')) {
    return JSON.parse(text, reviver);
  }
  return JSON.parse(text);
}
