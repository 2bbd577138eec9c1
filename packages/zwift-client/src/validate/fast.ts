import type { z } from 'zod';

/** `true` only when the schema certainly accepts `value` and would output it unchanged. */
export type FastCheck = (value: unknown) => boolean;

/** The parts of a zod schema's internals read here (zod 4: `schema._zod.def`). */
interface Def {
  type: string;
  [key: string]: unknown;
}

interface CheckDef {
  check: string;
  [key: string]: unknown;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const checkDefOf = (check: unknown): CheckDef => (check as { _zod: { def: CheckDef } })._zod.def;

/** Whether `def` holds only the listed keys (anything else — coercion, transforms… — is not handled). */
function only(def: object, keys: readonly string[]): boolean {
  for (const key of Object.keys(def)) if (!keys.includes(key)) return false;
  return true;
}

/** A plain object as `JSON.parse` makes them (zod's output of an object always has this prototype). */
const isPlainRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** A plain array (zod's output of an array always is one). */
const isPlainArray = (v: unknown): v is unknown[] =>
  Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;

/** Number checks: safe integer, ≥ / > / ≤ / <. `null` for any other check. */
function numberCheck(check: CheckDef): FastCheck | null {
  if (check.check === 'number_format' && check['format'] === 'safeint') {
    return (v) => Number.isSafeInteger(v);
  }
  if (check.check === 'custom') return refineCheck(check);
  if ((check.check === 'greater_than' || check.check === 'less_than') && typeof check['value'] === 'number') {
    const bound = check['value'];
    const inclusive = check['inclusive'] === true;
    if (check.check === 'greater_than') {
      return inclusive ? (v) => (v as number) >= bound : (v) => (v as number) > bound;
    }
    return inclusive ? (v) => (v as number) <= bound : (v) => (v as number) < bound;
  }
  return null;
}

/** String checks: a regex, a minimum length. `null` for any other check. */
function stringCheck(check: CheckDef): FastCheck | null {
  if (check.check === 'string_format' && check['format'] === 'regex' && check['pattern'] instanceof RegExp) {
    const pattern = check['pattern'];
    return (v) => {
      pattern.lastIndex = 0;
      return pattern.test(v as string);
    };
  }
  if (check.check === 'custom') return refineCheck(check);
  if (check.check === 'min_length' && typeof check['minimum'] === 'number') {
    // zod counts code points; a length in UTF-16 units ≥ 2 × minimum (or ≥ 1 for a minimum of 1)
    // is certainly enough — anything in between is left to zod.
    const minimum = check['minimum'];
    return (v) => {
      const units = (v as string).length;
      return units >= 2 * minimum || (minimum <= 1 && units >= minimum);
    };
  }
  return null;
}

/** A plain `.refine(fn)` (sync, no options): passes when `fn` returns `true`. */
function refineCheck(check: CheckDef): FastCheck | null {
  const fn = check['fn'];
  if (check.check !== 'custom' || check['type'] !== 'custom' || typeof fn !== 'function') return null;
  if (!only(check, ['type', 'check', 'fn', 'error'])) return null;
  return (v) => {
    try {
      return fn(v) === true;
    } catch {
      return false; // zod will run it again and report
    }
  };
}

/** Base predicate plus its checks, or `null` when one of the checks is not handled. */
function withChecks(
  def: Def,
  base: FastCheck,
  compileCheck: (check: CheckDef) => FastCheck | null,
): FastCheck | null {
  const raw = (def['checks'] as unknown[] | undefined) ?? [];
  if (raw.length === 0) return base;
  const checks: FastCheck[] = [];
  for (const check of raw) {
    const compiled = compileCheck(checkDefOf(check));
    if (compiled === null) return null;
    checks.push(compiled);
  }
  return (v) => {
    if (!base(v)) return false;
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

function compile(schema: unknown): FastCheck | null {
  const def = defOf(schema);
  switch (def.type) {
    case 'unknown':
    case 'any':
      return only(def, ['type']) ? () => true : null;
    case 'null':
      return only(def, ['type']) ? (v) => v === null : null;
    case 'boolean':
      return only(def, ['type']) ? (v) => typeof v === 'boolean' : null;
    case 'number':
      if (!only(def, ['type', 'checks'])) return null;
      return withChecks(def, (v) => typeof v === 'number' && Number.isFinite(v), numberCheck);
    case 'string':
      if (!only(def, ['type', 'checks'])) return null;
      return withChecks(def, (v) => typeof v === 'string', stringCheck);
    case 'literal': {
      const values = def['values'];
      if (!only(def, ['type', 'values']) || !Array.isArray(values)) return null;
      if (!values.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) return null;
      return (v) => values.includes(v) && !Number.isNaN(v);
    }
    case 'optional':
    case 'nullable': {
      if (!only(def, ['type', 'innerType'])) return null;
      const inner = fastCheckOf(def['innerType']);
      if (inner === null) return null;
      return def.type === 'optional' ? (v) => v === undefined || inner(v) : (v) => v === null || inner(v);
    }
    case 'union': {
      if (!only(def, ['type', 'options']) || !Array.isArray(def['options'])) return null;
      const options: FastCheck[] = [];
      for (const option of def['options']) {
        const compiled = fastCheckOf(option);
        if (compiled === null) return null;
        options.push(compiled);
      }
      return (v) => {
        for (const option of options) if (option(v)) return true;
        return false;
      };
    }
    case 'array': {
      if (!only(def, ['type', 'element'])) return null;
      const element = fastCheckOf(def['element']);
      if (element === null) return null;
      if (defOf(def['element']).type === 'unknown') return isPlainArray;
      return (v) => {
        if (!isPlainArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'object': {
      // Only loose objects (unknown keys pass through): a stripping or strict object changes or
      // rejects extra keys, so returning the input as is would differ from zod's output.
      if (!only(def, ['type', 'shape', 'catchall']) || def['catchall'] === undefined) return null;
      if (defOf(def['catchall']).type !== 'unknown') return null;
      const shape = def['shape'] as Record<string, unknown>;
      const keys = Object.keys(shape);
      if (keys.includes('__proto__') || Object.getOwnPropertySymbols(shape).length > 0) return null;
      const fields: FastCheck[] = [];
      for (const key of keys) {
        const compiled = fastCheckOf(shape[key]);
        if (compiled === null) return null;
        fields.push(compiled);
      }
      return (v) => {
        if (!isPlainRecord(v) || Object.hasOwn(v, '__proto__')) return false;
        for (let i = 0; i < keys.length; i++) if (!fields[i]!(v[keys[i]!])) return false;
        return true;
      };
    }
    case 'record': {
      if (!only(def, ['type', 'keyType', 'valueType'])) return null;
      const keyDef = defOf(def['keyType']);
      if (keyDef.type !== 'string' || !only(keyDef, ['type'])) return null;
      const value = fastCheckOf(def['valueType']);
      if (value === null) return null;
      return (v) => {
        if (!isPlainRecord(v)) return false;
        for (const key in v) {
          if (key === '__proto__' || !Object.hasOwn(v, key) || !value(v[key])) return false;
        }
        return Object.getOwnPropertySymbols(v).length === 0;
      };
    }
    default:
      return null;
  }
}

const compiled = new WeakMap<object, FastCheck | null>();

/**
 * A fast acceptance test for a zod schema, compiled once from its definition: `true` means zod
 * would accept the value AND output an equal value (so the value can be used as is), `false`
 * means "ask zod" (the value may still be valid). Handles the types this package's schemas use —
 * loose objects, records with string keys, arrays, unions, optional/nullable, numbers (safe
 * integer, bounds), strings (regex, minimum length), plain `.refine`s, literals, null, boolean, unknown — and returns
 * `null` for a schema holding anything else (always ask zod). Skips zod's per-field result objects,
 * which dominate the cost of validating a well-formed payload.
 */
export function fastCheckOf(schema: z.ZodType | unknown): FastCheck | null {
  const key = schema as object;
  if (compiled.has(key)) return compiled.get(key)!;
  compiled.set(key, null); // a recursive schema meets itself while compiling: not handled
  let check: FastCheck | null;
  try {
    check = compile(schema);
  } catch {
    check = null;
  }
  compiled.set(key, check);
  return check;
}
