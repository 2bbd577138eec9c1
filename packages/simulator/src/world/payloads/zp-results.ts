/** The public API's ZwiftPower results of a race: one row per rider, with power and heart-rate data. */
import { stream } from '../../prng.ts';
import type { SimEvent } from '../events.ts';
import type { RawResultRow } from '../results.ts';
import type { World } from '../world.ts';
import { PEN_LABEL_NUMBER } from './pen-labels.ts';

function flag(rng: { next(): number }): number {
  return rng.next() < 0.4 ? 1 : 0;
}

/** `GET /public/zp/{eventId}/results` (shape of zwiftracing-public-zp-results.json). */
export function zpResultsJson(world: World, ev: SimEvent, rows: RawResultRow[]): string {
  const byTime = [...rows].sort((a, b) => a.time - b.time || a.riderId - b.riderId);
  const out = byTime.map((row, index) => {
    const ref = world.refOfRiderId(row.riderId);
    const profile = world.profile(ref);
    const dyn = world.statsAt(ref, ev.startMs);
    const rng = stream(world.seed, 'zp', ev.eventId, row.riderId);
    const ftp = dyn.zpFTP;
    const intensity = rng.float(0.88, 1.08);
    const avg = Math.round(ftp * intensity);
    const np = Math.round(avg * rng.float(1.0, 1.06));
    const w = dyn.weight;
    const curve = dyn.w.map((x) => Math.round(x * rng.float(0.9, 1.0)));
    const pos = index + 1;
    const penNumber = PEN_LABEL_NUMBER[row.category] ?? 5;
    const club = profile.club;
    const hr = rng.int(150, 185);
    const skill = rng.float(20, 90);
    const o: Record<string, unknown> = {
      DT_RowId: '',
      ftp: String(ftp),
      friend: 0,
      pt: '',
      label: String(penNumber),
      zid: ev.eventId,
      pos,
      position_in_cat: row.positionInCategory,
      name: row.name,
      cp: 1,
      zwid: row.riderId,
      res_id: `${ev.eventId}.${pos}`,
      lag: 0,
      uid: `${ev.idNum * 100 + (pos % 100)}${String(pos).padStart(5, '0')}`,
      time: [row.time, flag(rng)],
      time_gun: row.time,
      gap: row.gap ?? 0,
      vtta: 0,
      vttat: 0,
      male: profile.gender === 'M' ? 1 : 0,
      tid: club ? String(club.id) : '',
      topen: club ? '1' : '',
      tname: club ? club.name : '',
      tc: club ? 'ffd808' : '',
      tbc: club ? '1c1300' : '',
      tbd: club ? 'ffffff' : '',
      zeff: 1,
      category: row.category,
      height: [profile.height, 0],
      flag: profile.country,
      avg_hr: [hr, 0],
      max_hr: [hr + rng.int(3, 15), 0],
      hrmax: [0, 0],
      hrm: 1,
      weight: [w.toFixed(1), 0],
      power_type: 3,
      display_pos: 1,
      src: 1,
      age: profile.age,
      zada: 0,
      note: '',
      div: penNumber * 10,
      divw: 0,
      skill: skill.toFixed(2),
      skill_b: (skill * rng.float(0.8, 1.2)).toFixed(2),
      skill_gain: rng.float(0, 20).toFixed(2),
      np: [np, flag(rng)],
      hrr: [(avg / hr).toFixed(2), 0],
      hreff: [String(Math.round((np / hr) * 10)), flag(rng)],
      avg_power: [avg, flag(rng)],
      avg_wkg: [(avg / w).toFixed(1), flag(rng)],
      wkg_ftp: [(ftp / w).toFixed(1), flag(rng)],
      wftp: [ftp, flag(rng)],
      wkg_guess: 0,
    };
    const durations = [1200, 300, 120, 60, 30, 15, 5];
    for (const d of durations) {
      const i = [5, 15, 30, 60, 120, 300, 1200].indexOf(d);
      o[`wkg${d}`] = [((curve[i] as number) / w).toFixed(1), flag(rng)];
    }
    for (const d of durations) {
      const i = [5, 15, 30, 60, 120, 300, 1200].indexOf(d);
      o[`w${d}`] = [String(curve[i]), flag(rng)];
    }
    Object.assign(o, {
      is_guess: 0,
      upg: 0,
      penalty: '',
      reg: 1,
      fl: '',
      pts: '',
      pts_pos: '',
      info: 0,
      info_notes: [],
      log: 0,
      lead: 0,
      sweep: 0,
      actid: '',
      anal: 0,
    });
    return o;
  });
  return JSON.stringify(out);
}
