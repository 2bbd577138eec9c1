import { stream } from '../prng.ts';
import { penSpeed, type SimEvent } from './events.ts';
import type { Category, RiderCore } from './riders.ts';
import type { SignupStore } from './signups.ts';

/** A row of the public results endpoint (shape of zwiftracing-public-results-event.json). */
export interface RawResultRow {
  riderId: number;
  name: string;
  category: string;
  time: number;
  gap: number | null;
  position?: number;
  positionInCategory: number;
  rating: number;
  ratingBefore: number;
  ratingDelta?: number;
  ratingMax30: number;
  ratingMax90: number;
}

/** Share of starters who do not finish (absent from the results). */
export const DNF_SHARE = 0.04;

/** Nominal rating of a pen, used for unrated riders' performance. */
const NOMINAL_RATING: Record<string, number> = { A: 1950, B: 1520, C: 1200, D: 900, E: 620, W: 1100, F: 600 };

export interface TeamRaceInput {
  riderId: number;
  /** null: unrated. */
  ratingBefore: number | null;
  max30Before: number;
  max90Before: number;
  dnf: boolean;
}

export interface ResultsContext {
  seed: number | string;
  populationSize: number;
  signups: SignupStore;
  /** Id, name and core of any rider (team riders: their ratings come from `teamInput`). */
  rider(ref: number): { riderId: number; name: string; core: RiderCore };
  /** Inputs of the team rider with this ref on this event (undefined for field riders). */
  teamInput(ev: SimEvent, ref: number): TeamRaceInput | undefined;
}

interface Finisher {
  ref: number;
  riderId: number;
  name: string;
  rated: boolean;
  ratingBefore: number;
  max30: number;
  max90: number;
  score: number;
  noise: number;
  showPosition: boolean;
  time: number;
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Results of a race as first published (before any correction). Deterministic. */
export function computeResults(ev: SimEvent, ctx: ResultsContext): RawResultRow[] {
  const rng = stream(ctx.seed, 'results', ev.eventId);
  const perPen: Finisher[][] = ev.pens.map(() => []);
  const sig = ctx.signups;
  for (let j = ev.s0; j < ev.s1; j++) {
    if ((sig.wd[j] as number) <= ev.startMs) continue; // withdrawn before the start
    const ref = sig.ref[j] as number;
    const pen = sig.pen[j] as number;
    const rider = ctx.rider(ref);
    let dnf: boolean;
    let noise: number;
    let showPosition: boolean;
    let rated: boolean;
    let ratingBefore: number;
    let max30: number;
    let max90: number;
    if (ref >= ctx.populationSize) {
      const input = ctx.teamInput(ev, ref);
      if (!input) continue;
      const trng = stream(ctx.seed, 'team-result', ev.eventId, rider.riderId);
      dnf = input.dnf;
      noise = trng.gauss();
      showPosition = trng.next() < 0.6;
      rated = input.ratingBefore !== null;
      ratingBefore = input.ratingBefore ?? 0;
      max30 = input.max30Before;
      max90 = input.max90Before;
    } else {
      dnf = rng.next() < DNF_SHARE;
      noise = rng.gauss();
      showPosition = rng.next() < 0.6;
      const core = rider.core;
      rated = !core.unrated;
      ratingBefore = rated ? core.rating : 0;
      max30 = rated ? core.max30 : 0;
      max90 = rated ? core.max90 : 0;
    }
    if (dnf) continue;
    const base = rated ? ratingBefore : (NOMINAL_RATING[ev.pens[pen] as string] ?? 1000);
    (perPen[pen] as Finisher[]).push({
      ref,
      riderId: rider.riderId,
      name: rider.name,
      rated,
      ratingBefore,
      max30,
      max90,
      score: base + 110 * noise,
      noise,
      showPosition,
      time: 0,
    });
  }

  const distanceKm = ev.distanceM / 1000;
  const perKm = ev.elevationM / Math.max(distanceKm, 0.1);
  const tt = ev.subType === 'Time Trial' || ev.subType === 'Team Time Trial';
  const rows: { f: Finisher; pen: number; pos: number; row: RawResultRow }[] = [];
  for (let p = 0; p < ev.pens.length; p++) {
    const list = perPen[p] as Finisher[];
    list.sort((a, b) => b.score - a.score || a.ref - b.ref);
    const kmh = penSpeed(ev.pens[p] as string) / (1 + perKm / 40);
    let t = (distanceKm / kmh) * 3600 * rng.float(0.97, 1.03);
    const byRating = [...list].sort((a, b) => b.ratingBefore - a.ratingBefore || a.ref - b.ref);
    const expected = new Map<Finisher, number>();
    byRating.forEach((f, i) => {
      expected.set(f, i + 1);
    });
    const count = list.length;
    for (let i = 0; i < count; i++) {
      const f = list[i] as Finisher;
      if (i > 0) t += tt ? rng.exp(12) : rng.bool(0.7) ? rng.exp(0.8) : rng.exp(25);
      f.time = r3(t);
      const pos = i + 1;
      const winnerTime = (list[0] as Finisher).time;
      let row: RawResultRow;
      if (f.rated) {
        const delta = (80 * ((expected.get(f) as number) - pos)) / Math.max(count, 2) + 6 * f.noise;
        const rating = Math.max(100, f.ratingBefore + delta);
        row = {
          riderId: f.riderId,
          name: f.name,
          category: ev.pens[p] as string,
          time: f.time,
          gap: r3(f.time - winnerTime),
          positionInCategory: pos,
          rating,
          ratingBefore: f.ratingBefore,
          ratingDelta: rating - f.ratingBefore,
          ratingMax30: Math.max(f.max30, rating),
          ratingMax90: Math.max(f.max90, rating),
        };
      } else {
        row = {
          riderId: f.riderId,
          name: f.name,
          category: ev.pens[p] as string,
          time: f.time,
          gap: null,
          positionInCategory: pos,
          rating: 0,
          ratingBefore: 0,
          ratingMax30: 0,
          ratingMax90: 0,
        };
      }
      rows.push({ f, pen: p, pos, row });
    }
  }
  return withPositions(
    rows.map((r) => r.row),
    (_, i) => (rows[i] as { f: Finisher }).f.showPosition,
  );
}

/** A row with its keys in the upstream order; `position` (overall) only when given. */
function orderedRow(r: RawResultRow, position: number | undefined): RawResultRow {
  const o = {
    riderId: r.riderId,
    name: r.name,
    category: r.category,
    time: r.time,
    gap: r.gap,
  } as RawResultRow;
  if (position !== undefined) o.position = position;
  o.positionInCategory = r.positionInCategory;
  o.rating = r.rating;
  o.ratingBefore = r.ratingBefore;
  if (r.ratingDelta !== undefined) o.ratingDelta = r.ratingDelta;
  o.ratingMax30 = r.ratingMax30;
  o.ratingMax90 = r.ratingMax90;
  return o;
}

/** Overall positions by time; rows for which `show` is false carry no `position` (as upstream). */
function withPositions(
  rows: RawResultRow[],
  show: (row: RawResultRow, index: number) => boolean,
): RawResultRow[] {
  const order = rows.map((_, i) => i);
  order.sort(
    (a, b) =>
      (rows[a] as RawResultRow).time - (rows[b] as RawResultRow).time ||
      (rows[a] as RawResultRow).riderId - (rows[b] as RawResultRow).riderId,
  );
  const position = new Array<number>(rows.length);
  order.forEach((idx, rank) => {
    position[idx] = rank + 1;
  });
  return rows.map((r, i) => orderedRow(r, show(r, i) ? position[i] : undefined));
}

/**
 * The published correction (once, 30–180 min after the results appeared): either a time fix
 * that swaps a rider with the one ahead, or a disqualification that removes a rider.
 */
export function applyCorrection(ev: SimEvent, rows: RawResultRow[], seed: number | string): RawResultRow[] {
  const rng = stream(seed, 'correction', ev.eventId);
  const copy = rows.map((r) => ({ ...r }));
  if (copy.length < 2) return copy;
  const hadPosition = new Set(copy.filter((r) => r.position !== undefined).map((r) => r.riderId));
  if (ev.correctionKind === 'dq') {
    copy.splice(rng.int(0, copy.length - 1), 1);
  } else {
    const candidates = copy.filter(
      (r, i) => i > 0 && r.positionInCategory > 1 && r.category === copy[i - 1]?.category,
    );
    if (candidates.length > 0) {
      const target = rng.pick(candidates);
      const ahead = copy[copy.indexOf(target) - 1] as RawResultRow;
      target.time = r3(ahead.time - rng.float(0.05, 2));
    }
  }
  // Re-rank each pen by time, recompute gaps and overall positions.
  const pens = new Map<string, RawResultRow[]>();
  for (const r of copy) {
    const list = pens.get(r.category) ?? [];
    list.push(r);
    pens.set(r.category, list);
  }
  const ordered: RawResultRow[] = [];
  for (const pen of ev.pens) {
    const list = pens.get(pen);
    if (!list) continue;
    list.sort((a, b) => a.time - b.time || a.riderId - b.riderId);
    const winner = (list[0] as RawResultRow).time;
    list.forEach((r, i) => {
      r.positionInCategory = i + 1;
      if (r.gap !== null) r.gap = r3(r.time - winner);
    });
    ordered.push(...list);
  }
  return withPositions(ordered, (row) => hadPosition.has(row.riderId));
}

export type { Category };
