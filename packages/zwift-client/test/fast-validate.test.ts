import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as club from '../src/schemas/club.ts';
import * as common from '../src/schemas/common.ts';
import * as events from '../src/schemas/events.ts';
import * as results from '../src/schemas/results.ts';
import * as rider from '../src/schemas/rider.ts';
import * as routes from '../src/schemas/routes.ts';
import * as signups from '../src/schemas/signups.ts';
import * as zp from '../src/schemas/zp-results.ts';
import * as zwiftEvents from '../src/schemas/zwift-events.ts';
import { type FastCheck, fastCheckOf, fastCheckWithoutCodegen } from '../src/validate/fast.ts';
import { fixture } from './helpers/fixtures.ts';

const modules = { club, common, events, results, rider, routes, signups, zp, zwiftEvents };
const schemas: [string, z.ZodType][] = Object.entries(modules).flatMap(([file, mod]) =>
  Object.entries(mod)
    .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
    .map(([name, schema]): [string, z.ZodType] => [`${file}.${name}`, schema]),
);

/**
 * The fast path's contract: `true` ⇒ zod accepts AND outputs a value equal to the input (the
 * client then uses the input as is). `false` just means "ask zod".
 */
function expectSound(
  schema: z.ZodType,
  value: unknown,
  label: string,
  compile: (schema: z.ZodType) => FastCheck | null = fastCheckOf,
): boolean {
  const fast = compile(schema)!(value);
  if (fast) {
    const parsed = schema.safeParse(value);
    if (!parsed.success || !isDeepStrictEqual(parsed.data, value)) {
      throw new Error(
        `${label}: fast path accepted ${JSON.stringify(value)?.slice(0, 300)} but zod ${parsed.success ? 'changed it' : 'rejected it'}`,
      );
    }
  }
  return fast;
}

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  '12',
  ' 7.5 ',
  '-3e2',
  'abc',
  '0x1f',
  '😀',
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  [],
  [1, '2'],
  [null],
  ['x', 1, ''],
  {},
  { a: 1 },
  JSON.parse('{"__proto__":{"x":1}}'),
  Object.create(null),
];

/** Every leaf and every node of `value` replaced, one at a time, by each odd value. */
function* mutations(value: unknown): Generator<unknown> {
  for (const odd of ODD_VALUES) yield odd;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      for (const m of mutations(value[i])) yield value.map((v, j) => (j === i ? m : v));
    }
    yield [...value, ...value.slice(0, 1)];
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      for (const m of mutations(record[key])) yield { ...record, [key]: m };
      const { [key]: _dropped, ...rest } = record;
      yield rest;
    }
    yield { ...record, extraKey: { nested: [1, 'two'] } };
  }
}

/** Schema to check each fixture record against. */
const FIXTURES: [string, z.ZodType, (data: unknown) => unknown[]][] = [
  ['zwift-official-public-events-upcoming', zwiftEvents.zwiftEventSchema, (d) => d as unknown[]],
  ['zwiftracing-internal-api-event-signups', signups.signupPenSchema, (d) => d as unknown[]],
  ['zwiftracing-internal-api-events-upcoming', events.raceEventSchema, (d) => d as unknown[]],
  ['zwiftracing-internal-api-routes-item', routes.routeSchema, (d) => [d]],
  ['zwiftracing-public-results-event', results.resultsBodySchema, (d) => [d]],
  ['zwiftracing-public-results-event', results.resultRowSchema, (d) => (d as { results: unknown[] }).results],
  ['zwiftracing-public-rider-single', rider.riderSchema, (d) => [d]],
  ['zwiftracing-public-riders-bulk-post', rider.riderSchema, (d) => d as unknown[]],
  ['zwiftracing-public-zp-results', zp.zpResultRowSchema, (d) => d as unknown[]],
  ['zwiftracing-public-zp-results', zp.zpResultsBodySchema, (d) => [d]],
];

const COMPILERS: [string, (schema: z.ZodType) => FastCheck | null][] = [
  ['generated code', fastCheckOf],
  ['closures (no code generation)', fastCheckWithoutCodegen],
];

describe.each(COMPILERS)('fast validation path, %s', (_name, compile) => {
  it('compiles for every schema of the package', () => {
    const missing = schemas.filter(([, schema]) => compile(schema) === null).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('accepts the upstream samples, and only where zod accepts them unchanged', () => {
    for (const [name, schema, records] of FIXTURES) {
      const list = records(fixture(name));
      expect(list.length).toBeGreaterThan(0);
      for (const [i, record] of list.entries()) {
        expect(expectSound(schema, record, `${name}[${i}]`, compile), `${name}[${i}]`).toBe(true);
      }
    }
  });

  it('never accepts what zod rejects or would change (mutated samples, odd values)', () => {
    let accepted = 0;
    let refused = 0;
    for (const [name, schema, records] of FIXTURES) {
      for (const record of records(fixture(name)).slice(0, 3)) {
        for (const variant of mutations(record)) {
          if (expectSound(schema, variant, name, compile)) accepted++;
          else refused++;
        }
      }
    }
    for (const [name, schema] of schemas) {
      for (const value of ODD_VALUES) expectSound(schema, value, name, compile);
    }
    // both outcomes are exercised
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('fast validation path', () => {
  it('gives up (null) on schemas it does not understand, and stays strict on edge cases', () => {
    expect(fastCheckOf(z.object({ a: z.number() }))).toBeNull(); // strips unknown keys
    expect(fastCheckOf(z.strictObject({ a: z.number() }))).toBeNull();
    expect(fastCheckOf(z.string().transform((s) => s.length))).toBeNull();
    expect(fastCheckOf(z.coerce.number())).toBeNull();
    expect(fastCheckOf(z.string().email())).toBeNull();
    expect(fastCheckOf(z.number().multipleOf(2))).toBeNull();
    expect(fastCheckOf(z.string().superRefine(() => {}))).toBeNull();
    const min2 = z.string().min(2);
    expect(fastCheckOf(min2)!('😀')).toBe(false); // two UTF-16 units, one code point: zod decides
    expect(min2.safeParse('😀').success).toBe(false);
    expect(fastCheckOf(z.number())!(Number.NaN)).toBe(false);
    const loose = z.looseObject({ a: z.number() });
    expect(fastCheckOf(loose)!(JSON.parse('{"a":1,"__proto__":{"x":1}}'))).toBe(false);
    expect(fastCheckOf(z.record(z.string(), z.number()))!(Object.create(null))).toBe(false);
  });
});
