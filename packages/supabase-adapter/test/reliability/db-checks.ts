import type { Truth } from '@racesync/simulator';
import { normaliseResultRow, resultRowSchema } from '@racesync/zwift-client';
import type { Sql } from 'postgres';

/**
 * Checks of a racesync schema that only SQL can see: duplicate rows, riders without a history row
 * for their stored hash, and snapshot consistency — every signup list and result set stored
 * equals the upstream truth at the moment it was applied (a half-written or mixed batch would not).
 */
export interface DbChecks {
  duplicates: Record<string, number>;
  ridersWithoutHistory: number;
  historyRows: number;
  /** Signup lists whose active team signups differ from the truth when the list was applied. */
  signupListsInconsistent: string[];
  signupListsChecked: number;
  /** Result sets whose rows differ from the truth when the set was applied. */
  resultSetsInconsistent: string[];
  resultSetsChecked: number;
}

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

export async function dbChecks(
  sql: Sql,
  schema: string,
  truthAt: (t: number) => Truth,
  options: { slackMs: number },
): Promise<DbChecks> {
  const s = `"${schema}"`;
  const one = async (query: string) => Number((await sql.unsafe(query))[0]?.n ?? 0);
  const duplicates: Record<string, number> = {
    riders: await one(`select count(*) - count(distinct rider_id) as n from ${s}.riders`),
    team_members: await one(`select count(*) - count(distinct rider_id) as n from ${s}.team_members`),
    events: await one(`select count(*) - count(distinct event_id) as n from ${s}.events`),
    signups: await one(`select count(*) - count(distinct (event_id, rider_id)) as n from ${s}.signups`),
    results: await one(`select count(*) - count(distinct (event_id, rider_id)) as n from ${s}.results`),
    result_jobs: await one(`select count(*) - count(distinct (event_id, phase)) as n from ${s}.result_jobs`),
    // The same change recorded twice (same rider, same snapshot, different times) would be a replay.
    rider_history: await one(
      `select count(*) - count(distinct (rider_id, hash, changed_fields)) as n from ${s}.rider_history`,
    ),
    sync_log_runs: await one(`select count(*) - count(distinct run_id) as n from ${s}.sync_log`),
  };
  const ridersWithoutHistory = await one(
    `select count(*) as n from ${s}.riders r
     where not exists (select 1 from ${s}.rider_history h where h.rider_id = r.rider_id and h.hash = r.hash)`,
  );
  const historyRows = await one(`select count(*) as n from ${s}.rider_history`);

  const candidates = (t: number) => {
    const out: number[] = [];
    for (let i = 0; i <= 40; i++) out.push(t - Math.round((options.slackMs * i) / 40));
    return out;
  };

  // Signup lists: the active team signups of each event equal the truth's team signups at the
  // time the list was applied (or up to slackMs before: the server answered a little earlier).
  const lists = await sql.unsafe<{ event_id: string; at: number }[]>(
    `select event_id, ${ms('applied_at')} as at from ${s}.signup_lists`,
  );
  const active = await sql.unsafe<{ event_id: string; rider_id: string; pen: string }[]>(
    `select event_id, rider_id::text, pen from ${s}.signups where withdrawn_at is null`,
  );
  const team = new Set(truthAt(0).teamRiderIds);
  const activeByEvent = new Map<string, string[]>();
  for (const row of active) {
    const list = activeByEvent.get(row.event_id) ?? [];
    list.push(`${row.rider_id}:${row.pen}`);
    activeByEvent.set(row.event_id, list);
  }
  const signupListsInconsistent: string[] = [];
  for (const list of lists) {
    const stored = (activeByEvent.get(list.event_id) ?? []).sort().join(',');
    const ok = candidates(list.at).some(
      (t) =>
        truthAt(t)
          .signups(list.event_id)
          .filter((x) => team.has(x.riderId))
          .map((x) => `${x.riderId}:${x.pen}`)
          .sort()
          .join(',') === stored,
    );
    if (!ok) signupListsInconsistent.push(list.event_id);
  }

  // Result sets: the stored rows (not removed) equal the rows published when the set was applied.
  const sets = await sql.unsafe<{ event_id: string; at: number }[]>(
    `select event_id, ${ms('applied_at')} as at from ${s}.result_sets`,
  );
  const rows = await sql.unsafe<
    {
      event_id: string;
      rider_id: string;
      name: string | null;
      position: number | null;
      position_in_category: number | null;
      category: string | null;
      time_seconds: number;
      gap: number | null;
      rating: number | null;
      rating_before: number | null;
      rating_delta: number | null;
    }[]
  >(
    `select event_id, rider_id::text, name, position, position_in_category, category, time_seconds, gap,
            rating, rating_before, rating_delta
     from ${s}.results where removed_at is null`,
  );
  const key = (r: {
    name: string | null;
    position: number | null;
    positionInCategory: number | null;
    category: string | null;
    timeSeconds: number;
    gap: number | null;
    rating: number | null;
    ratingBefore: number | null;
    ratingDelta: number | null;
  }) =>
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
  const storedSets = new Map<string, string[]>();
  for (const r of rows) {
    const list = storedSets.get(r.event_id) ?? [];
    list.push(
      `${r.rider_id}=${key({
        name: r.name,
        position: r.position,
        positionInCategory: r.position_in_category,
        category: r.category,
        timeSeconds: r.time_seconds,
        gap: r.gap,
        rating: r.rating,
        ratingBefore: r.rating_before,
        ratingDelta: r.rating_delta,
      })}`,
    );
    storedSets.set(r.event_id, list);
  }
  const resultSetsInconsistent: string[] = [];
  for (const set of sets) {
    const stored = (storedSets.get(set.event_id) ?? []).sort().join('|');
    const ok = candidates(set.at).some((t) => {
      const published = truthAt(t).results(set.event_id)?.rows ?? [];
      return (
        published
          .map((raw) => {
            const row = normaliseResultRow(resultRowSchema.parse(raw));
            return `${row.riderId}=${key(row)}`;
          })
          .sort()
          .join('|') === stored
      );
    });
    if (!ok) resultSetsInconsistent.push(set.event_id);
  }

  return {
    duplicates,
    ridersWithoutHistory,
    historyRows,
    signupListsInconsistent,
    signupListsChecked: lists.length,
    resultSetsInconsistent,
    resultSetsChecked: sets.length,
  };
}
