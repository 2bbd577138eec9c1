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

/** A check on a value already known to be of the right `typeof`, or `null` when a check is not handled. */
function checksOf(def: Def, compileCheck: (check: CheckDef) => FastCheck | null): FastCheck[] | null {
  const out: FastCheck[] = [];
  for (const check of (def['checks'] as unknown[] | undefined) ?? []) {
    const compiled = compileCheck(checkDefOf(check));
    if (compiled === null) return null;
    out.push(compiled);
  }
  return out;
}

const allOf =
  (checks: FastCheck[]): FastCheck =>
  (v) => {
    for (const check of checks) if (!check(v)) return false;
    return true;
  };

const anyOf = (checks: FastCheck[]): FastCheck | null =>
  checks.length === 0
    ? null
    : checks.length === 1
      ? checks[0]!
      : (v) => {
          for (const check of checks) if (check(v)) return true;
          return false;
        };

/**
 * What a tree of scalar schemas (null, boolean, number, string, literal, and unions, optional,
 * nullable of those) accepts, merged so one predicate with a `typeof` switch replaces the tree.
 */
interface Scalar {
  undef: boolean;
  nul: boolean;
  bool: boolean;
  /** Accepting checks for finite numbers (any one suffices). */
  num: FastCheck[];
  /** Accepting checks for strings (any one suffices). */
  str: FastCheck[];
  /** Literal values (string, number, boolean). */
  lits: unknown[];
}

type Node = { scalar: Scalar } | { check: FastCheck };

const PASS: FastCheck = () => true;
const FAIL: FastCheck = () => false;
const NONE: Scalar = { undef: false, nul: false, bool: false, num: [], str: [], lits: [] };
const scalar = (partial: Partial<Scalar>): Node => ({
  scalar: { undef: false, nul: false, bool: false, num: [], str: [], lits: [], ...partial },
});

function merge(a: Scalar, b: Scalar): Scalar {
  return {
    undef: a.undef || b.undef,
    nul: a.nul || b.nul,
    bool: a.bool || b.bool,
    num: [...a.num, ...b.num],
    str: [...a.str, ...b.str],
    lits: [...a.lits, ...b.lits],
  };
}

/** The per-type pieces of a {@link Scalar}'s predicate. */
function scalarParts(s: Scalar) {
  const numLits: unknown[] = s.lits.filter((x) => typeof x === 'number');
  const strLits: unknown[] = s.lits.filter((x) => typeof x === 'string');
  const boolLits: unknown[] = s.lits.filter((x) => typeof x === 'boolean');
  return {
    /** Any finite number passes. */
    numAny: s.num.includes(PASS),
    num: anyOf([...s.num, ...(numLits.length > 0 ? [(v: unknown) => numLits.includes(v)] : [])]) ?? FAIL,
    /** Any string passes. */
    strAny: s.str.includes(PASS),
    str: anyOf([...(strLits.length > 0 ? [(v: unknown) => strLits.includes(v)] : []), ...s.str]) ?? FAIL,
    bool: s.bool ? PASS : boolLits.length > 0 ? (v: unknown) => boolLits.includes(v) : FAIL,
    undef: s.undef,
    nul: s.nul,
  };
}

function scalarCheck(s: Scalar): FastCheck {
  const { num, str, bool, undef, nul } = scalarParts(s);
  return (v) => {
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) && num(v);
      case 'string':
        return str(v);
      case 'undefined':
        return undef;
      case 'boolean':
        return bool(v);
      case 'object':
        return v === null && nul;
      default:
        return false;
    }
  };
}

/** The same predicate as {@link scalarCheck}, as a JS expression on `x` (checks passed in via `ref`). */
function scalarExpr(s: Scalar, ref: (value: unknown) => string): string {
  const p = scalarParts(s);
  const call = (fn: FastCheck): string => (fn === PASS ? 'true' : fn === FAIL ? 'false' : `${ref(fn)}(x)`);
  const num = p.numAny ? 'Number.isFinite(x)' : `(Number.isFinite(x) && ${call(p.num)})`;
  const str = p.strAny ? 'true' : call(p.str);
  return (
    `(typeof x === "number" ? ${num} : typeof x === "string" ? ${str} : ` +
    `x === undefined ? ${p.undef} : x === null ? ${p.nul} : typeof x === "boolean" ? ${call(p.bool)} : false)`
  );
}

/**
 * A loose object's predicate as generated code: named property loads and the scalar fields'
 * checks inlined (several times faster than a loop of keyed loads and closure calls). `null` when
 * code generation is not allowed (then the closure version is used).
 */
function generatedObjectCheck(keys: readonly string[], fields: readonly Node[]): FastCheck | null {
  if (!generate) return null;
  const refs: unknown[] = [];
  const ref = (value: unknown): string => `r[${refs.push(value) - 1}]`;
  let body =
    'if (typeof v !== "object" || v === null || getPrototypeOf(v) !== objectPrototype || hasOwn(v, "__proto__")) return false;\nlet x;\n';
  for (let i = 0; i < keys.length; i++) {
    const field = fields[i]!;
    if ('check' in field && field.check === PASS) continue;
    // JSON string literals are valid JS string literals: the key cannot break out of the code
    body += `x = v[${JSON.stringify(keys[i])}];\n`;
    body += `if (!${'scalar' in field ? scalarExpr(field.scalar, ref) : `${ref(field.check)}(x)`}) return false;\n`;
  }
  body += 'return true;';
  try {
    const factory = new Function(
      'r',
      'getPrototypeOf',
      'objectPrototype',
      'hasOwn',
      `"use strict";\nreturn function fastCheck(v) {\n${body}\n};`,
    );
    return factory(refs, Object.getPrototypeOf, Object.prototype, Object.hasOwn) as FastCheck;
  } catch {
    return null; // e.g. --disallow-code-generation-from-strings
  }
}

const checkOf = (node: Node): FastCheck => ('check' in node ? node.check : scalarCheck(node.scalar));

function compile(schema: unknown): Node | null {
  const def = defOf(schema);
  switch (def.type) {
    case 'unknown':
    case 'any':
      return only(def, ['type']) ? { check: PASS } : null;
    case 'null':
      return only(def, ['type']) ? scalar({ nul: true }) : null;
    case 'boolean':
      return only(def, ['type']) ? scalar({ bool: true }) : null;
    case 'number': {
      const checks = only(def, ['type', 'checks']) ? checksOf(def, numberCheck) : null;
      if (checks === null) return null;
      return scalar({ num: [checks.length === 0 ? PASS : allOf(checks)] });
    }
    case 'string': {
      const checks = only(def, ['type', 'checks']) ? checksOf(def, stringCheck) : null;
      if (checks === null) return null;
      return scalar({ str: [checks.length === 0 ? PASS : allOf(checks)] });
    }
    case 'literal': {
      const values = def['values'];
      if (!only(def, ['type', 'values']) || !Array.isArray(values)) return null;
      const ok = values.every(
        (x) => x === null || typeof x === 'string' || typeof x === 'boolean' || Number.isFinite(x),
      );
      if (!ok) return null;
      return scalar({ nul: values.includes(null), lits: values.filter((x) => x !== null) });
    }
    case 'optional':
    case 'nullable': {
      if (!only(def, ['type', 'innerType'])) return null;
      const inner = nodeOf(def['innerType']);
      if (inner === null) return null;
      const optional = def.type === 'optional';
      if ('scalar' in inner)
        return { scalar: merge(inner.scalar, optional ? { ...NONE, undef: true } : { ...NONE, nul: true }) };
      const check = inner.check;
      return { check: optional ? (v) => v === undefined || check(v) : (v) => v === null || check(v) };
    }
    case 'union': {
      if (!only(def, ['type', 'options']) || !Array.isArray(def['options'])) return null;
      const nodes: Node[] = [];
      for (const option of def['options']) {
        const node = nodeOf(option);
        if (node === null) return null;
        nodes.push(node);
      }
      if (nodes.every((n) => 'scalar' in n)) {
        return { scalar: nodes.map((n) => (n as { scalar: Scalar }).scalar).reduce(merge, NONE) };
      }
      return { check: anyOf(nodes.map(checkOf)) ?? FAIL };
    }
    case 'array': {
      if (!only(def, ['type', 'element'])) return null;
      const element = nodeOf(def['element']);
      if (element === null) return null;
      if ('check' in element && element.check === PASS) return { check: isPlainArray };
      const check = checkOf(element);
      return {
        check: (v) => {
          if (!isPlainArray(v)) return false;
          for (let i = 0; i < v.length; i++) if (!check(v[i])) return false;
          return true;
        },
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
      const nodes: Node[] = [];
      for (const key of keys) {
        const node = nodeOf(shape[key]);
        if (node === null) return null;
        nodes.push(node);
      }
      const generated = generatedObjectCheck(keys, nodes);
      if (generated !== null) return { check: generated };
      const fields = nodes.map(checkOf);
      return {
        check: (v) => {
          if (!isPlainRecord(v) || Object.hasOwn(v, '__proto__')) return false;
          for (let i = 0; i < keys.length; i++) if (!fields[i]!(v[keys[i]!])) return false;
          return true;
        },
      };
    }
    case 'record': {
      if (!only(def, ['type', 'keyType', 'valueType'])) return null;
      const keyDef = defOf(def['keyType']);
      if (keyDef.type !== 'string' || !only(keyDef, ['type'])) return null;
      const node = nodeOf(def['valueType']);
      if (node === null) return null;
      const value = checkOf(node);
      return {
        check: (v) => {
          if (!isPlainRecord(v)) return false;
          for (const key in v) {
            if (key === '__proto__' || !Object.hasOwn(v, key) || !value(v[key])) return false;
          }
          return Object.getOwnPropertySymbols(v).length === 0;
        },
      };
    }
    default:
      return null;
  }
}

let generate = true;
let nodes = new WeakMap<object, Node | null>();

function nodeOf(schema: unknown): Node | null {
  const key = schema as object;
  if (nodes.has(key)) return nodes.get(key)!;
  nodes.set(key, null); // a recursive schema meets itself while compiling: not handled
  let node: Node | null;
  try {
    node = compile(schema);
  } catch {
    node = null;
  }
  nodes.set(key, node);
  return node;
}

let compiled = new WeakMap<object, FastCheck | null>();

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
  let check = compiled.get(key);
  if (check === undefined) {
    const node = nodeOf(schema);
    check = node === null ? null : checkOf(node);
    compiled.set(key, check);
  }
  return check;
}

/** Test hook: the predicate compiled without code generation (as when `new Function` is not allowed). */
export function fastCheckWithoutCodegen(schema: z.ZodType | unknown): FastCheck | null {
  const saved = { generate, nodes, compiled };
  generate = false;
  nodes = new WeakMap();
  compiled = new WeakMap();
  try {
    return fastCheckOf(schema);
  } finally {
    ({ generate, nodes, compiled } = saved);
  }
}
