import { describe, expect, it } from 'vitest';
import { diffFields, hashData, omitPaths, stableJson } from '../src/internal.js';
import { toJson } from '../src/records/to-json.js';

describe('delta detection', () => {
  it('hashes independently of key order, and differently for different values', () => {
    expect(hashData({ a: 1, b: { c: [1, 2], d: null } })).toBe(hashData({ b: { d: null, c: [1, 2] }, a: 1 }));
    expect(hashData({ a: 1 })).not.toBe(hashData({ a: 2 }));
    expect(hashData({ a: [1, 2] })).not.toBe(hashData({ a: [2, 1] }));
    expect(stableJson({ b: undefined, a: 0 })).toBe('{"a":0}');
  });

  it('treats 0 as a value, not as missing', () => {
    expect(hashData({ weight: 0 })).not.toBe(hashData({ weight: null }));
    expect(diffFields({ wins: 0 }, { wins: null })).toEqual(['wins']);
  });

  it('names changed leaf paths; arrays compare whole; equal snapshots give none', () => {
    const before = { race: { current: { rating: 1800 }, finishes: 9 }, weight: 77, tags: [1, 2] };
    const after = {
      race: { current: { rating: 1812.5 }, finishes: 10 },
      weight: 77,
      tags: [1, 2, 3],
      extra: true,
    };
    expect(diffFields(before, after)).toEqual(['extra', 'race.current.rating', 'race.finishes', 'tags']);
    expect(diffFields(before, structuredClone(before))).toEqual([]);
    expect(diffFields({ race: null }, { race: { finishes: 1 } })).toEqual(['race']);
  });

  it('omits volatile paths without touching the input', () => {
    const data = { race: { max30: { rating: 1, expires: 5 } } };
    expect(omitPaths(data, ['race.max30.expires', 'race.max90.expires', 'nope.deep'])).toEqual({
      race: { max30: { rating: 1 } },
    });
    expect(data.race.max30.expires).toBe(5);
  });

  it('makes plain JSON: drops undefined, functions and prototype keys; non-finite numbers become null', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    expect(toJson({ ...hostile, b: undefined, c: () => 1, d: Number.NaN, e: new Map([['k', 2]]) })).toEqual({
      a: 1,
      d: null,
      e: { k: 2 },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
