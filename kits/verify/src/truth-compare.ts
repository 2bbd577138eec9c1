import type { Truth } from '@racesync/simulator';
import { DEFAULT_POLICY, type Json, type ResultRecord, type StorageAdapter } from '@racesync/sync-core';
import { hashData, omitPaths } from '@racesync/sync-core/internal';
import {
  normaliseRaceEvent,
  normaliseResultRow,
  normaliseRider,
  raceEventSchema,
  resultRowSchema,
  riderSchema,
} from '@racesync/zwift-client';

const MIN = 60_000;
const HOUR = 60 * MIN;
const FEED_HORIZON_MS = 7 * 24 * HOUR;

/**
 * Compares what a sync stored with the simulator's ground truth, after the engine stopped at `end`.
 * Every comparison is by content (never by timestamps), record by record; `mismatches` counts the
 * records that are missing, extra, or different (0 = storage equals the truth).
 *
 * What each part covers:
 * - **team**: stored team members = the truth's team rider ids.
 * - **riders**: every team rider is stored; its normalised payload (minus the policy's volatile
 *   paths) equals the truth's payload *at the time it was last fetched* (`fetchedAt`, or up to
 *   `slackMs` earlier), and that fetch is recent: within `riders.intervalMs + riderStaleMarginMs`
 *   of `end` (so the regular refresh ran after any fault). Upstream changes after the last fetch
 *   are legitimate lag, reported as `laggingAtEnd`, not as mismatches. Every stored rider also has
 *   a history row for its stored hash (`historyMissing`).
 * - **events in window**: the races the site feed listed at the last list fetch `T` (the newest
 *   `fetchedAt`): start in `(T, T + 7 d]` (minus `slackMs` at both edges). Each must be stored,
 *   not marked removed, with the listed fields as the truth had them at `T` (id, start, route,
 *   distance, laps, title, type, sub-type, pens, per-pen signup counts); a stored, not-removed
 *   race in that window that the feed did not list is extra.
 * - **team signups**: for every race starting in `[signupsFrom, end]`, the stored active team
 *   signups (rider and pen) equal the team signups in effect one millisecond before the start.
 * - **team results**: for every race team riders rode that started after `from` and whose results
 *   were published by `end − resultsSettleMs`, the stored rows (not removed) equal the published
 *   rows (every stored field but `fetchedAt`): the corrected rows when the correction fetch is due
 *   (published ≥ `correctionDelay + 1 h` before `end`), else the initial or the corrected rows.
 */
export interface TruthCompareOptions {
  storage: StorageAdapter;
  truthAt: (t: number) => Truth;
  /** Virtual time the sync started. */
  from: number;
  /** Virtual time the sync stopped. */
  end: number;
  /**
   * Races starting from here on are judged for team signups.
   * @default from + 10 min
   */
  signupsFrom?: number;
  /**
   * Only races starting before this are judged for team signups.
   * @default end
   */
  signupsTo?: number;
  /**
   * How much older than its `fetchedAt` a record's upstream state may be (virtual ms): the time
   * between the server answering and the engine reading its clock, which on a scaled clock is a
   * few real milliseconds times the speed. A record matches when it equals the truth at some time
   * in `[fetchedAt − slack, fetchedAt]` (checked in 40 steps).
   * @default 0 (virtual clock: exact)
   */
  slackMs?: number;
  /**
   * Results published later than `end − resultsSettleMs` are not judged.
   * @default 30 min
   */
  resultsSettleMs?: number;
  /**
   * Extra allowance beyond `riders.intervalMs` for the last rider refresh.
   * @default 30 min
   */
  riderStaleMarginMs?: number;
  /**
   * The engine's policy, for the rider refresh interval, the volatile paths and the correction delay.
   * @default DEFAULT_POLICY
   */
  policy?: {
    riders: { intervalMs: number; volatilePaths: string[] };
    results: { correctionDelayMs: number };
  };
}

export interface TruthComparison {
  mismatches: number;
  team: { expected: number; missing: number; extra: number };
  riders: {
    compared: number;
    missing: number;
    differ: number;
    stale: number;
    historyMissing: number;
    /** Riders whose upstream changed after their last fetch (lag, not a mismatch). */
    laggingAtEnd: number;
    mismatches: number;
  };
  events: {
    listedAt: number | null;
    compared: number;
    missing: number;
    removedButListed: number;
    extra: number;
    differ: number;
    mismatches: number;
  };
  teamSignups: {
    races: number;
    racesWithTeam: number;
    signups: number;
    missing: number;
    extra: number;
    penDiffers: number;
    mismatches: number;
  };
  teamResults: {
    races: number;
    rows: number;
    racesWithoutResults: number;
    missing: number;
    extra: number;
    differ: number;
    mismatches: number;
  };
  /** The first few mismatches, for diagnosis. */
  examples: string[];
}

const plain = (value: unknown): { [key: string]: Json } => JSON.parse(JSON.stringify(value));

export async function compareWithTruth(options: TruthCompareOptions): Promise<TruthComparison> {
  const { storage, truthAt, from, end } = options;
  const slack = options.slackMs ?? 0;
  const policy = options.policy ?? DEFAULT_POLICY;
  const examples: string[] = [];
  const note = (text: string) => {
    if (examples.length < 20) examples.push(text);
  };
  const truthEnd = truthAt(end);
  /** The times a record fetched at `t` may reflect, newest first. */
  const candidates = (t: number): number[] => {
    if (slack <= 0) return [t];
    const out: number[] = [];
    for (let i = 0; i <= 40; i++) out.push(t - Math.round((slack * i) / 40));
    return out;
  };
  const truthCache = new Map<number, Truth>();
  const truthOf = (t: number): Truth => {
    let view = truthCache.get(t);
    if (!view) {
      view = truthAt(t);
      truthCache.set(t, view);
    }
    return view;
  };

  // --- team ---
  const teamIds = new Set(truthEnd.teamRiderIds);
  const storedTeam = new Set((await storage.getTeam()).map((m) => m.riderId));
  const team = {
    expected: teamIds.size,
    missing: [...teamIds].filter((id) => !storedTeam.has(id)).length,
    extra: [...storedTeam].filter((id) => !teamIds.has(id)).length,
  };
  if (team.missing + team.extra > 0) note(`team: ${team.missing} missing, ${team.extra} extra`);

  // --- riders ---
  const riderHash = (t: number, riderId: number): string | null => {
    const raw = truthOf(t).rider(riderId);
    if (raw === null) return null;
    const data = omitPaths(plain(normaliseRider(riderSchema.parse(raw))), policy.riders.volatilePaths);
    return hashData(data);
  };
  const storedRiders = new Map((await storage.getRiders([...teamIds])).map((r) => [r.riderId, r]));
  const history = await storage.listRiderHistory({ riderIds: [...teamIds] });
  const historyHashes = new Set(history.map((h) => `${h.riderId}:${h.hash}`));
  const riders = {
    compared: 0,
    missing: 0,
    differ: 0,
    stale: 0,
    historyMissing: 0,
    laggingAtEnd: 0,
    mismatches: 0,
  };
  for (const riderId of teamIds) {
    const stored = storedRiders.get(riderId);
    if (!stored) {
      riders.missing++;
      note(`rider ${riderId}: not stored`);
      continue;
    }
    riders.compared++;
    let bad = false;
    if (!candidates(stored.fetchedAt).some((t) => riderHash(t, riderId) === stored.hash)) {
      riders.differ++;
      bad = true;
      note(`rider ${riderId}: stored data differs from the truth at its fetch (${stored.fetchedAt})`);
    }
    if (stored.fetchedAt < end - policy.riders.intervalMs - (options.riderStaleMarginMs ?? 30 * MIN)) {
      riders.stale++;
      bad = true;
      note(`rider ${riderId}: last fetched ${Math.round((end - stored.fetchedAt) / MIN)} min before the end`);
    }
    if (!historyHashes.has(`${riderId}:${stored.hash}`)) {
      riders.historyMissing++;
      bad = true;
      note(`rider ${riderId}: no history row for its stored hash`);
    }
    if (bad) riders.mismatches++;
    else if (riderHash(end, riderId) !== stored.hash) riders.laggingAtEnd++;
  }
  riders.mismatches += riders.missing;

  // --- events in window ---
  const storedEvents = await storage.listEvents({ includeRemoved: true });
  const listedAt = storedEvents.length > 0 ? Math.max(...storedEvents.map((e) => e.fetchedAt)) : null;
  const events = {
    listedAt,
    compared: 0,
    missing: 0,
    removedButListed: 0,
    extra: 0,
    differ: 0,
    mismatches: 0,
  };
  if (listedAt !== null) {
    const lo = listedAt + slack;
    const hi = listedAt + FEED_HORIZON_MS - slack;
    const inWindow = (t: number) => t > lo && t <= hi;
    const byId = new Map(storedEvents.map((e) => [e.eventId, e]));
    const expectedAt = (t: number) =>
      new Map(
        truthOf(t)
          .events()
          .filter((e) => inWindow(e.startsAt))
          .map((e) => [e.eventId, normaliseRaceEvent(raceEventSchema.parse(e.raw))]),
      );
    const expected = expectedAt(listedAt);
    const listedAsAt = (t: number, eventId: string) => {
      const e = truthOf(t).event(eventId);
      return e ? normaliseRaceEvent(raceEventSchema.parse(e.raw)) : undefined;
    };
    for (const [eventId, want] of expected) {
      events.compared++;
      const got = byId.get(eventId);
      if (!got) {
        events.missing++;
        note(`event ${eventId}: listed but not stored`);
        continue;
      }
      if (got.removedAt !== null) {
        events.removedButListed++;
        note(`event ${eventId}: listed but marked removed`);
        continue;
      }
      const same = (w: typeof want | undefined) =>
        w !== undefined &&
        got.startsAt === w.startsAt &&
        got.routeId === w.routeId &&
        got.distanceMeters === w.distanceMeters &&
        got.laps === w.laps &&
        got.title === w.title &&
        got.type === w.type &&
        got.subType === w.subType &&
        got.categories.join(',') === w.categories.join(',') &&
        JSON.stringify(got.signupCounts) === JSON.stringify(w.signupCounts);
      if (!same(want) && !candidates(listedAt).some((t) => same(listedAsAt(t, eventId)))) {
        events.differ++;
        note(`event ${eventId}: stored fields differ from the feed at ${listedAt}`);
      }
    }
    for (const e of storedEvents) {
      if (e.removedAt === null && inWindow(e.startsAt) && !expected.has(e.eventId)) {
        events.extra++;
        note(`event ${e.eventId}: stored but not listed`);
      }
    }
    events.mismatches = events.missing + events.removedButListed + events.extra + events.differ;
  }

  // --- team signups ---
  const signupsFrom = options.signupsFrom ?? from + 10 * MIN;
  const signupsTo = options.signupsTo ?? end;
  const races = truthEnd.eventsBetween(signupsFrom, signupsTo + 1);
  const storedSignups = await storage.listSignups({
    eventIds: races.map((r) => r.eventId),
    activeOnly: true,
  });
  const storedByEvent = new Map<string, Map<number, string>>();
  for (const s of storedSignups) {
    const m = storedByEvent.get(s.eventId) ?? new Map<number, string>();
    storedByEvent.set(s.eventId, m);
    m.set(s.riderId, s.pen);
  }
  const teamSignups = {
    races: races.length,
    racesWithTeam: 0,
    signups: 0,
    missing: 0,
    extra: 0,
    penDiffers: 0,
    mismatches: 0,
  };
  for (const race of races) {
    const want = new Map(
      truthAt(race.startsAt - 1)
        .teamSignups(race.eventId)
        .map((s) => [s.riderId, s.pen]),
    );
    const got = storedByEvent.get(race.eventId) ?? new Map<number, string>();
    if (want.size > 0) teamSignups.racesWithTeam++;
    teamSignups.signups += want.size;
    for (const [riderId, pen] of want) {
      const stored = got.get(riderId);
      if (stored === undefined) {
        teamSignups.missing++;
        note(`signup ${race.eventId}/${riderId}: missing (race at ${new Date(race.startsAt).toISOString()})`);
      } else if (stored !== pen) {
        teamSignups.penDiffers++;
        note(`signup ${race.eventId}/${riderId}: pen ${stored}, truth ${pen}`);
      }
    }
    for (const riderId of got.keys()) {
      if (!want.has(riderId)) {
        teamSignups.extra++;
        note(`signup ${race.eventId}/${riderId}: stored active, truth has none`);
      }
    }
  }
  teamSignups.mismatches = teamSignups.missing + teamSignups.extra + teamSignups.penDiffers;

  // --- team results ---
  const settle = options.resultsSettleMs ?? 30 * MIN;
  const correctionDue = policy.results.correctionDelayMs + HOUR;
  const judged = truthEnd.teamRaces.filter((r) => r.startsAt > from && r.resultsAt <= end - settle);
  const storedResults = await storage.listResults({ eventIds: judged.map((r) => r.eventId) });
  const resultsByEvent = new Map<string, ResultRecord[]>();
  for (const row of storedResults) {
    const list = resultsByEvent.get(row.eventId);
    if (list) list.push(row);
    else resultsByEvent.set(row.eventId, [row]);
  }
  const teamResults = {
    races: judged.length,
    rows: 0,
    racesWithoutResults: 0,
    missing: 0,
    extra: 0,
    differ: 0,
    mismatches: 0,
  };
  const rowKey = (r: Omit<ResultRecord, 'hash' | 'fetchedAt' | 'removedAt' | 'eventId'>) =>
    JSON.stringify([
      r.name,
      r.position,
      r.positionInCategory,
      r.category,
      r.timeSeconds,
      r.gap,
      r.rating,
      r.ratingBefore,
      r.ratingDelta,
    ]);
  const truthRows = (t: number, eventId: string) => {
    const rows = truthOf(t).results(eventId)?.rows ?? [];
    return new Map(
      rows.map((raw) => {
        const row = normaliseResultRow(resultRowSchema.parse(raw));
        return [row.riderId, rowKey({ ...row, riderId: row.riderId })] as const;
      }),
    );
  };
  for (const race of judged) {
    const stored = resultsByEvent.get(race.eventId) ?? [];
    const final = truthRows(end, race.eventId);
    const published = Math.max(race.resultsAt, race.correctedAt ?? 0);
    const acceptable = [final];
    if (published > end - correctionDue && race.correctedAt !== null) {
      acceptable.push(truthRows(race.resultsAt, race.eventId)); // the correction fetch is not due yet
    }
    teamResults.rows += final.size;
    if (stored.length === 0) {
      teamResults.racesWithoutResults++;
      teamResults.missing += final.size;
      note(`results ${race.eventId}: none stored (published ${new Date(race.resultsAt).toISOString()})`);
      continue;
    }
    const got = new Map(stored.map((r) => [r.riderId, rowKey(r)]));
    let best: { missing: number; extra: number; differ: number } | null = null;
    for (const want of acceptable) {
      const diff = { missing: 0, extra: 0, differ: 0 };
      for (const [riderId, key] of want) {
        const have = got.get(riderId);
        if (have === undefined) diff.missing++;
        else if (have !== key) diff.differ++;
      }
      for (const riderId of got.keys()) if (!want.has(riderId)) diff.extra++;
      const total = diff.missing + diff.extra + diff.differ;
      if (!best || total < best.missing + best.extra + best.differ) best = diff;
    }
    if (best && best.missing + best.extra + best.differ > 0) {
      note(`results ${race.eventId}: ${best.missing} missing, ${best.extra} extra, ${best.differ} differ`);
      teamResults.missing += best.missing;
      teamResults.extra += best.extra;
      teamResults.differ += best.differ;
    }
  }
  teamResults.mismatches = teamResults.missing + teamResults.extra + teamResults.differ;

  return {
    mismatches:
      team.missing +
      team.extra +
      riders.mismatches +
      events.mismatches +
      teamSignups.mismatches +
      teamResults.mismatches,
    team,
    riders,
    events,
    teamSignups,
    teamResults,
    examples,
  };
}
