/**
 * JSON with object keys sorted at every level, so equal data always gives equal text (and hash)
 * whatever order the upstream sent the fields in. `undefined` members are dropped, as in JSON.
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : stableJson(item))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || typeof member === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${stableJson(member)}`);
  }
  return `{${parts.join(',')}}`;
}
