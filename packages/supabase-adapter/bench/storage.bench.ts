/**
 * Storage benchmark: racesync's batched SQL functions vs one-row-at-a-time upserts (the original
 * system's way: one `insert … on conflict do update` statement, i.e. one round trip and one
 * commit, per row), in the same run, on a PostgreSQL started here with its default durability.
 *
 * Data: 1,000 riders (+ history), 1,000 events, 50,000 signups (1,000 events × 50 team riders),
 * 20,000 results (200 events × 100 rows). Pass 1 writes everything; pass 2 re-writes it with 5%
 * changed; pass 3 re-writes it unchanged (later fetch times) — its time is `noChangeRewriteMs`.
 *
 *   pnpm bench:storage -- --json            one JSON line on stdout (progress on stderr)
 *   … -- --sample 0.1                       row-at-a-time side on every 10th row (default: all rows)
 *   … -- --scale 0.1                        smaller data set (development)
 */

import { startPgCluster } from '@racesync/postgres-kit';
import type { EventRecord, ResultRecord, RiderRecord, RiderWrite } from '@racesync/sync-core';
import { hashData } from '@racesync/sync-core/internal';
import { seeded } from '@racesync/verify';
import type { Sql } from 'postgres';
import postgres from 'postgres';
import { createPostgresStorage, createPostgresTransport, migrate } from '../src/index.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const json = flag('json');
const scale = option('scale', 1);
const sample = option('sample', 1);
const progress = (...parts: unknown[]) => console.error('[bench:storage]', ...parts);

const N = {
  riders: Math.round(1000 * scale),
  events: Math.round(1000 * scale),
  signupsPerEvent: 50,
  resultEvents: Math.round(200 * scale),
  resultsPerEvent: 100,
};

// ----- deterministic data -----------------------------------------------------------------------

const rand = seeded(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const DURATIONS = [5, 15, 30, 60, 120, 300, 1200];
const T0 = 1_764_000_000_000;

function riderData(riderId: number, version: number): Record<string, unknown> {
  const r = seeded(riderId * 7919 + version);
  const power: Record<string, number> = {};
  for (const d of DURATIONS) {
    power[`w${d}`] = Math.round(1200 / Math.sqrt(d) + 180 + r() * 40);
    power[`wkg${d}`] = round(power[`w${d}`]! / (60 + r() * 30), 4);
  }
  power.CP = round(250 + r() * 100, 10);
  power.AWC = round(15000 + r() * 10000, 3);
  power.compoundScore = round(r() * 1000, 6);
  const rating = round(1000 + r() * 1500 + version * 3, 4);
  return {
    riderId,
    name: `Rider ${riderId} ${pick(['Ålborg', "O'Neil", 'Müller', 'Šimić', '🚴'])}`,
    gender: pick(['M', 'F']),
    country: pick(['se', 'nl', 'gb', 'us', 'de']),
    age: pick(['Vet', '40-49', 'Senior']),
    height: 160 + Math.floor(r() * 40),
    weight: round(55 + r() * 40, 1),
    zpCategory: pick(['A', 'B', 'C', 'D']),
    zpFTP: Math.round(200 + r() * 150),
    power,
    race: {
      current: { rating, date: T0, expires: T0 + 90 * 86_400_000, mixed: { category: 'Gold', number: 5 } },
      max30: { rating: rating + 20, date: null, expires: null, mixed: null },
      max90: { rating: rating + 40, date: null, expires: null, mixed: null },
      finishes: 10 + version,
      dnfs: 1,
      wins: Math.floor(r() * 5),
      podiums: Math.floor(r() * 10),
    },
    handicaps: {
      flat: round(r() * 100, 6),
      rolling: round(r() * 100, 6),
      hilly: round(r() * 100, 6),
      mountainous: round(r() * 100, 6),
    },
    phenotype: {
      value: 'Sprinter',
      bias: round(r() * 10, 3),
      scores: { sprinter: 90, puncheur: 80, pursuiter: 70, climber: 60, tt: 50 },
    },
    club: { id: 11818, name: 'Team racesync' },
  };
}

function riderRecord(riderId: number, version: number, at: number): RiderRecord {
  const data = riderData(riderId, version) as RiderRecord['data'];
  const race = data.race as {
    current: { rating: number };
    finishes: number;
    wins: number;
    podiums: number;
    dnfs: number;
  };
  return {
    riderId,
    name: String(data.name),
    country: String(data.country),
    gender: String(data.gender),
    category: String(data.zpCategory),
    weight: data.weight as number,
    height: data.height as number,
    ftp: data.zpFTP as number,
    rating: race.current.rating,
    ratingMax30: null,
    ratingMax90: null,
    finishes: race.finishes,
    wins: race.wins,
    podiums: race.podiums,
    dnfs: race.dnfs,
    clubId: 11818,
    data,
    hash: hashData(data),
    fetchedAt: at,
    changedAt: at,
  };
}

function eventRecord(index: number, version: number, at: number): EventRecord {
  const base = {
    eventId: String(5_200_000 + index),
    startsAt: T0 + index * 720_000,
    routeId: String(3_368_626_651 + (index % 50)),
    distanceMeters: round(20_000 + (index % 37) * 731.5, 1),
    laps: 1 + (index % 5),
    title: `Race ${index} — ZRL ${pick(['A', 'B', 'C'])}`,
    type: 'Race',
    subType: pick(['Scratch', 'Points', null]),
    categories: ['A', 'B', 'C', 'D', 'E'],
    signupCounts: { A: 20 + version, B: 29, C: 36, D: 52, E: 39 },
    source: 'zwiftracing' as const,
  };
  const { eventId: _id, ...hashed } = base;
  return { ...base, hash: hashData(hashed), fetchedAt: at, changedAt: at, removedAt: null };
}

function resultRecord(
  eventId: string,
  riderId: number,
  position: number,
  version: number,
  at: number,
): ResultRecord {
  const base = {
    eventId,
    riderId,
    name: `Rider ${riderId}`,
    position,
    positionInCategory: 1 + (position % 30),
    category: pick(['A', 'B', 'C', 'D']),
    timeSeconds: round(1500 + position * 3.137 + version, 3),
    gap: position === 1 ? 0 : round(position * 3.137, 3),
    rating: round(1800 + position * 0.25 + version, 2),
    ratingBefore: round(1790.5 + position * 0.25, 2),
    ratingDelta: round(9.5 + version, 2),
  };
  return { ...base, hash: hashData(base), fetchedAt: at, removedAt: null };
}

interface Pass {
  riders: RiderWrite[];
  events: EventRecord[];
  signups: { eventId: string; present: { riderId: number; pen: string }[] }[];
  results: { eventId: string; rows: ResultRecord[] }[];
  at: number;
}

const riderIds = Array.from({ length: N.riders }, (_, i) => 4_000_000 + i * 17);
const PENS = ['A', 'B', 'C', 'D', 'E'];

/** Pass data: version 0 = first sight; later versions change `changedShare` of everything. */
function makePass(at: number, changed: (i: number) => boolean, previous: Pass | null, bump: number): Pass {
  const riders = riderIds.map((id, i): RiderWrite => {
    const prior = previous?.riders[i]?.rider ?? null;
    if (!prior) {
      const rider = riderRecord(id, 0, at);
      return {
        rider,
        history: { riderId: id, at, changedFields: ['*'], snapshot: rider.data, hash: rider.hash },
        expectedHash: null,
      };
    }
    if (changed(i)) {
      const rider = riderRecord(id, bump, at);
      return {
        rider,
        history: {
          riderId: id,
          at,
          changedFields: ['race.current.rating'],
          snapshot: rider.data,
          hash: rider.hash,
        },
        expectedHash: prior.hash,
      };
    }
    return { rider: { ...prior, fetchedAt: at }, history: null, expectedHash: prior.hash };
  });
  const events = Array.from({ length: N.events }, (_, i) => {
    const prior = previous?.events[i];
    if (prior && !changed(i)) return { ...prior, fetchedAt: at };
    return eventRecord(i, prior ? bump : 0, at);
  });
  const signups = events.map((event, e) => ({
    eventId: event.eventId,
    present: Array.from({ length: N.signupsPerEvent }, (_, k) => {
      const riderId = riderIds[(e * 7 + k) % riderIds.length]!;
      const prior = previous?.signups[e]?.present[k]?.pen;
      if (prior === undefined) return { riderId, pen: PENS[k % PENS.length]! };
      const moved = changed(e * N.signupsPerEvent + k);
      return { riderId, pen: moved ? PENS[(PENS.indexOf(prior) + 1) % PENS.length]! : prior };
    }),
  }));
  const results = Array.from({ length: N.resultEvents }, (_, e) => {
    const eventId = String(5_100_000 + e);
    return {
      eventId,
      rows: Array.from({ length: N.resultsPerEvent }, (_, k) => {
        const riderId = riderIds[(e * 13 + k) % riderIds.length]!;
        const prior = previous?.results[e]?.rows[k];
        if (prior && !changed(e * N.resultsPerEvent + k)) return { ...prior, fetchedAt: at };
        return resultRecord(eventId, riderId, k + 1, prior ? bump : 0, at);
      }),
    };
  });
  return { riders, events, signups, results, at };
}

const rowsOf = (pass: Pass) => ({
  riders: pass.riders.length,
  riderHistory: pass.riders.filter((w) => w.history).length,
  events: pass.events.length,
  signups: pass.signups.reduce((n, s) => n + s.present.length, 0),
  results: pass.results.reduce((n, r) => n + r.rows.length, 0),
});
const total = (rows: ReturnType<typeof rowsOf>) => Object.values(rows).reduce((a, b) => a + b, 0);

// ----- the two ways of writing ------------------------------------------------------------------

type Timings = Record<'riders' | 'events' | 'signups' | 'results', number>;

async function writeBatched(storage: ReturnType<typeof createPostgresStorage>, pass: Pass): Promise<Timings> {
  const t: Timings = { riders: 0, events: 0, signups: 0, results: 0 };
  let start = performance.now();
  await storage.writeRiders(pass.riders);
  t.riders = performance.now() - start;
  start = performance.now();
  await storage.upsertEvents(pass.events);
  t.events = performance.now() - start;
  start = performance.now();
  for (const s of pass.signups) await storage.applySignups(s.eventId, s.present, pass.at);
  t.signups = performance.now() - start;
  start = performance.now();
  for (const r of pass.results) await storage.applyResults(r.eventId, r.rows, pass.at);
  t.results = performance.now() - start;
  return t;
}

/** The original system's way: one upsert statement (one round trip, one commit) per row. */
async function writeRowAtATime(
  sql: Sql,
  schema: string,
  pass: Pass,
  every: number,
): Promise<Timings & { statements: number }> {
  const ts = (ms: number) => new Date(ms);
  const t: Timings & { statements: number } = { riders: 0, events: 0, signups: 0, results: 0, statements: 0 };
  const q = (text: string, params: unknown[]) => {
    t.statements++;
    return sql.unsafe(text, params as never[], { prepare: true });
  };
  const S = `"${schema}"`;
  let start = performance.now();
  for (const [i, w] of pass.riders.entries()) {
    if (i % every !== 0) continue;
    const r = w.rider;
    await q(
      `insert into ${S}.riders (rider_id, name, country, gender, category, weight, height, ftp, rating, rating_max30,
         rating_max90, finishes, wins, podiums, dnfs, club_id, data, hash, fetched_at, changed_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
       on conflict (rider_id) do update set name = excluded.name, country = excluded.country, gender = excluded.gender,
         category = excluded.category, weight = excluded.weight, height = excluded.height, ftp = excluded.ftp,
         rating = excluded.rating, rating_max30 = excluded.rating_max30, rating_max90 = excluded.rating_max90,
         finishes = excluded.finishes, wins = excluded.wins, podiums = excluded.podiums, dnfs = excluded.dnfs,
         club_id = excluded.club_id, data = excluded.data, hash = excluded.hash, fetched_at = excluded.fetched_at,
         changed_at = excluded.changed_at`,
      [
        r.riderId,
        r.name,
        r.country,
        r.gender,
        r.category,
        r.weight,
        r.height,
        r.ftp,
        r.rating,
        r.ratingMax30,
        r.ratingMax90,
        r.finishes,
        r.wins,
        r.podiums,
        r.dnfs,
        r.clubId,
        sql.json(r.data as never),
        r.hash,
        ts(r.fetchedAt),
        ts(r.changedAt),
      ],
    );
    if (w.history) {
      await q(
        `insert into ${S}.rider_history (rider_id, at, changed_fields, snapshot, hash) values ($1,$2,$3,$4,$5)
         on conflict (rider_id, hash, at) do nothing`,
        [
          r.riderId,
          ts(w.history.at),
          w.history.changedFields,
          sql.json(w.history.snapshot as never),
          w.history.hash,
        ],
      );
    }
  }
  t.riders = performance.now() - start;
  start = performance.now();
  for (const [i, e] of pass.events.entries()) {
    if (i % every !== 0) continue;
    await q(
      `insert into ${S}.events (event_id, starts_at, route_id, distance_meters, laps, title, type, sub_type, categories,
         signup_counts, source, hash, fetched_at, changed_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       on conflict (event_id) do update set starts_at = excluded.starts_at, route_id = excluded.route_id,
         distance_meters = excluded.distance_meters, laps = excluded.laps, title = excluded.title, type = excluded.type,
         sub_type = excluded.sub_type, categories = excluded.categories, signup_counts = excluded.signup_counts,
         source = excluded.source, hash = excluded.hash, fetched_at = excluded.fetched_at, changed_at = excluded.changed_at`,
      [
        e.eventId,
        ts(e.startsAt),
        e.routeId,
        e.distanceMeters,
        e.laps,
        e.title,
        e.type,
        e.subType,
        e.categories,
        sql.json(e.signupCounts),
        e.source,
        e.hash,
        ts(e.fetchedAt),
        ts(e.changedAt),
      ],
    );
  }
  t.events = performance.now() - start;
  start = performance.now();
  let k = 0;
  for (const s of pass.signups) {
    for (const p of s.present) {
      if (k++ % every !== 0) continue;
      await q(
        `insert into ${S}.signups (event_id, rider_id, pen, first_seen_at, last_seen_at) values ($1,$2,$3,$4,$4)
         on conflict (event_id, rider_id) do update set pen = excluded.pen, last_seen_at = excluded.last_seen_at,
           withdrawn_at = null`,
        [s.eventId, p.riderId, p.pen, ts(pass.at)],
      );
    }
  }
  t.signups = performance.now() - start;
  start = performance.now();
  k = 0;
  for (const r of pass.results) {
    for (const row of r.rows) {
      if (k++ % every !== 0) continue;
      await q(
        `insert into ${S}.results (event_id, rider_id, name, position, position_in_category, category, time_seconds, gap,
           rating, rating_before, rating_delta, hash, fetched_at)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
         on conflict (event_id, rider_id) do update set name = excluded.name, position = excluded.position,
           position_in_category = excluded.position_in_category, category = excluded.category,
           time_seconds = excluded.time_seconds, gap = excluded.gap, rating = excluded.rating,
           rating_before = excluded.rating_before, rating_delta = excluded.rating_delta, hash = excluded.hash,
           fetched_at = excluded.fetched_at`,
        [
          r.eventId,
          row.riderId,
          row.name,
          row.position,
          row.positionInCategory,
          row.category,
          row.timeSeconds,
          row.gap,
          row.rating,
          row.ratingBefore,
          row.ratingDelta,
          row.hash,
          ts(row.fetchedAt),
        ],
      );
    }
  }
  t.results = performance.now() - start;
  return t;
}

const sum = (t: Timings) => t.riders + t.events + t.signups + t.results;

// ----- run --------------------------------------------------------------------------------------

async function main() {
  const every = Math.max(1, Math.round(1 / sample));
  progress(`starting PostgreSQL (default durability) …`);
  const cluster = await startPgCluster({ durable: true });
  try {
    await migrate({ connectionString: cluster.url, schema: 'bench_batched' });
    await migrate({ connectionString: cluster.url, schema: 'bench_rowwise' });
    const transport = createPostgresTransport({ connectionString: cluster.url, max: 2 });
    const storage = createPostgresStorage({ transport, schema: 'bench_batched' });
    const rowSql = postgres(cluster.url, { max: 1, onnotice: () => {} });

    const first = makePass(T0, () => true, null, 0);
    const changedPass = makePass(T0 + 86_400_000, (i) => i % 20 === 7, first, 1);
    const unchangedPass = makePass(T0 + 2 * 86_400_000, () => false, changedPass, 1);
    const rows1 = rowsOf(first);
    const rows2 = rowsOf(changedPass);
    const rows3 = rowsOf(unchangedPass);
    progress('rows per pass', rows1, rows2, rows3);

    progress('batched: initial write …');
    const b1 = await writeBatched(storage, first);
    progress('batched: re-write with 5% changed …');
    const b2 = await writeBatched(storage, changedPass);
    progress('batched: no-change re-write …');
    const b3 = await writeBatched(storage, unchangedPass);

    progress(`row-at-a-time (${every === 1 ? 'all rows' : `every ${every}th row`}): initial write …`);
    const r1 = await writeRowAtATime(rowSql, 'bench_rowwise', first, every);
    progress('row-at-a-time: re-write with 5% changed …');
    const r2 = await writeRowAtATime(rowSql, 'bench_rowwise', changedPass, every);
    progress('row-at-a-time: no-change re-write …');
    const r3 = await writeRowAtATime(rowSql, 'bench_rowwise', unchangedPass, every);

    // Sanity: the batched storage holds what was written.
    const stored = {
      riders: (await storage.getRiders()).length,
      riderHistory: (await storage.listRiderHistory()).length,
      events: (await storage.listEvents({ includeRemoved: true })).length,
      signups: (await storage.listSignups()).length,
      results: (await storage.listResults()).length,
    };

    const batchedRows = total(rows1) + total(rows2);
    const batchedMs = sum(b1) + sum(b2);
    const rowwiseRows = r1.statements + r2.statements;
    const rowwiseMs = sum(r1) + sum(r2);
    const batchedRowsPerSec = Math.round(batchedRows / (batchedMs / 1000));
    const rowAtATimeRowsPerSec = Math.round(rowwiseRows / (rowwiseMs / 1000));
    const result = {
      benchmark: 'storage',
      speedup: Math.round((batchedRowsPerSec / rowAtATimeRowsPerSec) * 10) / 10,
      batchedRowsPerSec,
      rowAtATimeRowsPerSec,
      noChangeRewriteMs: Math.round(sum(b3)),
      noChangeRewriteRowAtATimeMs: Math.round(sum(r3) * every),
      rows: { perPass: rows1, total: batchedRows, changedPass: rows2 },
      stored,
      batchedMs: {
        initial: round(sum(b1), 1),
        changed5pct: round(sum(b2), 1),
        noChange: round(sum(b3), 1),
        byKind: { initial: b1, changed5pct: b2 },
      },
      rowAtATimeMs: {
        initial: round(sum(r1), 1),
        changed5pct: round(sum(r2), 1),
        noChange: round(sum(r3), 1),
      },
      rowAtATimeStatements: rowwiseRows,
      rowAtATimeSample: every === 1 ? 1 : 1 / every,
      batchedCalls: {
        perPass: 2 + first.signups.length + first.results.length,
        note: 'one writeRiders + one upsertEvents + one applySignups per event + one applyResults per event',
      },
      transport:
        'postgres.js direct connection over loopback TCP (no network latency: a remote database widens the gap)',
      durability: 'PostgreSQL defaults (fsync on, synchronous_commit on)',
      pgVersion: cluster.version,
      node: process.version,
      scale,
    };
    for (const k of Object.keys(result.batchedMs.byKind) as ('initial' | 'changed5pct')[]) {
      const t = result.batchedMs.byKind[k];
      for (const key of Object.keys(t) as (keyof Timings)[]) t[key] = round(t[key], 1);
    }
    await rowSql.end();
    await transport.close();
    if (json) console.log(JSON.stringify(result));
    else console.log(JSON.stringify(result, null, 2));
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
