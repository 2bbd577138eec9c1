import type { StorageAdapter } from '@racesync/sync-core';
import { makeEvent, makeResult, makeRider, riderChange } from '@racesync/sync-core/testing';
import { expect, it } from 'vitest';

export const HOSTILE = [
  "O'Brien",
  "'; drop table riders; --",
  'Robert"); DROP TABLE events;--',
  '$$; select pg_sleep(10); $$',
  '\\x00 \\u0000 \\\\ backslashes \\',
  'Magnus Skjøth #HAC# 🚴‍♀️ 中文 ﷽ Ω≈ç√',
  '\u202Eright-to-left\u202C  tabs\tand\nnewlines\r\n',
  '%s %I %L format() specifiers',
  "ÉLITE ' A+ / C&D <b>pen</b>",
  ' ',
];

/**
 * Hostile strings, NUL characters, lone surrogates, extreme floats and odd times, written and read
 * back through `storage()` (one transport; riders from `base` on); `tablesIntact` checks that the
 * schema's 16 tables survived.
 */
export function hostileInputCases(
  kind: string,
  storage: () => StorageAdapter,
  base: number,
  tablesIntact: () => Promise<void>,
): void {
  it('names, ids, pens, cursors and log messages round-trip exactly, nothing is executed', async () => {
    const s = storage();
    for (const [i, text] of HOSTILE.entries()) {
      const riderId = base + i;
      const eventId = `${kind}:${text}`;
      const rider = makeRider(riderId, 1000, { name: text, nested: { [text]: [text, { deep: text }] } });
      await s.writeRiders([riderChange(rider, null, [text])]);
      expect(await s.getRiders([riderId])).toEqual([rider]);
      expect((await s.listRiderHistory({ riderIds: [riderId] }))[0]?.changedFields).toEqual([text]);

      const event = makeEvent(eventId, 1000, {
        title: text,
        routeId: text,
        categories: [text, 'B'],
        signupCounts: { [text]: 3, B: 1 },
      });
      await s.upsertEvents([event]);
      expect(await s.listEvents({ eventIds: [eventId] })).toEqual([event]);

      await s.applySignups(eventId, [{ riderId, pen: text }], 1000);
      expect((await s.listSignups({ eventIds: [eventId] })).map((r) => r.pen)).toEqual([text]);

      const result = makeResult(eventId, riderId, 1000, { name: text, category: text });
      await s.applyResults(eventId, [result], 1000);
      expect(await s.listResults({ eventIds: [eventId] })).toEqual([result]);

      const job = `${kind}:${text}`;
      await s.putJobState({
        job,
        nextDueAt: 1,
        lastRunAt: null,
        lastSuccessAt: null,
        cursor: { [text]: text },
      });
      expect((await s.getJobStates()).find((j) => j.job === job)?.cursor).toEqual({ [text]: text });

      await s.appendSyncLog([
        {
          runId: text,
          job,
          startedAt: 5,
          finishedAt: 6,
          status: 'failed',
          apiCalls: 0,
          records: 0,
          changes: 0,
          errorKind: text,
          message: text,
        },
      ]);
      expect((await s.listSyncLog({ job }))[0]).toMatchObject({
        runId: text,
        errorKind: text,
        message: text,
      });

      const lease = await s.leases!.acquire(`${kind}:${text}`, text, 1000, 0);
      expect(lease).toMatchObject({ name: `${kind}:${text}`, holder: text });
      expect(await s.rateLimitStore!.take(`${kind}:${text}`, { capacity: 1, intervalMs: 1000 }, 0)).toEqual({
        granted: true,
        waitMs: 0,
      });
    }
    await tablesIntact();
  });

  it('NUL characters and lone surrogates (which PostgreSQL cannot store) become U+FFFD instead of failing the batch', async () => {
    const s = storage();
    const riderId = base + 100;
    const rider = makeRider(riderId, 1000, { name: 'nul\u0000here', odd: 'lone\uD800surrogate \uDC00 end' });
    const withRealBackslash = makeRider(riderId + 1, 1000, { name: 'literal \\u0000 stays' });
    await s.writeRiders([riderChange(rider, null), riderChange(withRealBackslash, null)]);
    const [stored, literal] = await s.getRiders([riderId, riderId + 1]);
    expect(stored?.data.name).toBe('nul\uFFFDhere');
    expect(stored?.data.odd).toBe('lone\uFFFDsurrogate \uFFFD end');
    expect(literal?.data.name).toBe('literal \\u0000 stays');
    await s.upsertEvents([makeEvent(`${kind}-nul`, 1000, { title: 'a\u0000b' })]);
    expect((await s.listEvents({ eventIds: [`${kind}-nul`] }))[0]?.title).toBe('a\uFFFDb');
  });

  it('floats, extreme numbers, nulls and times keep their exact values', async () => {
    const s = storage();
    const riderId = base + 200;
    const data = {
      weight: 77.123456789,
      cp: 319.5566286801363,
      tiny: 5e-324,
      huge: 1.7976931348623157e308,
      third: 1 / 3,
      negative: -0.1,
      safe: 9007199254740991,
      exp: 1e21,
      small: 1e-7,
      nil: null,
      list: [0.1, 0.2, 0.30000000000000004],
    };
    const rider = { ...makeRider(riderId, 1, data), weight: 77.123456789, height: 180.5, rating: 1e-7 };
    await s.writeRiders([riderChange(rider, null)]);
    expect(await s.getRiders([riderId])).toEqual([rider]);
    for (const at of [0, 1, 999, 1000, 1_700_000_000_123, 4_102_444_800_000, 1234.5]) {
      const event = makeEvent(`${kind}-t-${at}`, at, { startsAt: at, distanceMeters: 0.1 + 0.2 });
      await s.upsertEvents([event]);
      expect(await s.listEvents({ eventIds: [event.eventId] })).toEqual([event]);
    }
    const result = makeResult(`${kind}-float`, 1, 1000, {
      timeSeconds: 1506.4860000000001,
      gap: 0.1 + 0.2,
      rating: -0 + 1e-12,
    });
    await s.applyResults(`${kind}-float`, [result], 1000);
    expect(await s.listResults({ eventIds: [`${kind}-float`] })).toEqual([result]);
  });
}
